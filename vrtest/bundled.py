"""Where vrtest's shipped data lives: ``suites/`` and ``environments/``.

In a checkout (or an editable install) they sit next to the package; a wheel carries copies
under ``vrtest/_bundled/`` (``setup.py`` puts them there), so an installed vrtest finds its
selection map, catalog, fast-lane scenarios, matrix and example descriptors without a checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

ShippedName = Literal["suites", "environments"]

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: ShippedName) -> Path:
    """The shipped ``suites`` or ``environments`` directory of this vrtest."""
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name
