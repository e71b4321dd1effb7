"""Processes a test run stranded: alive, started during the run, in a network namespace that
no longer exists (its fixture deleted the namespace but not the process)."""

from __future__ import annotations

import os
from pathlib import Path

from vrtest.lab.netns import start_time

NETNS_DIR = Path("/run/netns")




def _netns_inode(pid: int | str) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None


def _live_namespaces() -> set[int]:
    live = {_netns_inode(1), _netns_inode("self")}
    if NETNS_DIR.is_dir():
        for entry in NETNS_DIR.iterdir():
            try:
                live.add(entry.stat().st_ino)
            except OSError:
                continue
    return {inode for inode in live if inode is not None}


def stranded(since: int) -> dict[int, str]:
    """PID -> command line of processes started at or after ``since`` in a deleted namespace."""
    live = _live_namespaces()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        started, inode = start_time(pid), _netns_inode(pid)
        if started is None or started < since or inode is None or inode in live:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if cmdline:  # kernel threads have none
            found[pid] = cmdline
    return found
