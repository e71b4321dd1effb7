"""vrtest: stop Apache CloudStack virtual-router regressions before they land."""

__version__ = "0.1.0"
