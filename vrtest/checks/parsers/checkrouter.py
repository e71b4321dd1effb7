"""Parse ``checkrouter.sh`` output (``Status: PRIMARY``; 4.6-era VRs print ``MASTER``)."""

from __future__ import annotations

import re

_STATUS = re.compile(r"^\s*Status:\s*(\w+)", re.MULTILINE)
_SYNONYMS = {"MASTER": "PRIMARY"}


def parse_checkrouter(output: str) -> str:
    """The normalised state: PRIMARY, BACKUP, FAULT or UNKNOWN (MASTER becomes PRIMARY)."""
    match = _STATUS.search(output)
    if not match:
        return "UNKNOWN"
    return normalise_state(match.group(1))


def normalise_state(state: str) -> str:
    """Upper-case a redundant state and map the 4.6-era MASTER to PRIMARY."""
    word = state.strip().upper()
    return _SYNONYMS.get(word, word) or "UNKNOWN"
