"""Compare VR command output by structure: addresses, counters and rule priorities masked."""

from __future__ import annotations

import re

_ADDRESS = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?")
_COUNTERS = re.compile(r"\[\d+:\d+\]")
_PRIORITY = re.compile(r"^\d+:\s*")


def route_lines(text: str) -> list[str]:
    """``ip route show table all`` minus local/broadcast/IPv6 noise (as the goldens were cut)."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip()
        and not line.startswith(("local ", "broadcast ", "multicast "))
        and ":" not in line
    ]


def iptables_lines(text: str) -> list[str]:
    """``iptables-save`` without comments, counters zeroed."""
    return [
        _COUNTERS.sub("[0:0]", line.strip())
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


def shapes(lines: list[str], renames: dict[str, str] | None = None) -> set[str]:
    """Each line with addresses masked, rule priorities dropped and ``renames`` applied."""
    result = set()
    for line in lines:
        line = _PRIORITY.sub("", _ADDRESS.sub("A", line))
        for old, new in (renames or {}).items():
            line = line.replace(old, new)
        result.add(" ".join(line.split()))
    return result
