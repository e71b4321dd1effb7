"""Names made from free text (step names, environment and zone names) safe for files and locks."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """``text`` with every run of characters outside ``[A-Za-z0-9._-]`` turned into ``-``."""
    return _UNSAFE.sub("-", text)
