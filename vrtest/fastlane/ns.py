"""Namespace and process bookkeeping for fast-lane sandboxes, over ``vrtest.lab.netns``.

Every network namespace and holder process (PID with its start time, so a reused PID is
never killed) is written to a state file *before* it is made, so :meth:`Ledger.cleanup`
(and :func:`sweep` after a crash) removes exactly those. The primitives (namespaces,
process records, killing) are the embedded lab's; only the ledger's shape is the lane's.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from vrtest.lab import netns
from vrtest.lab.netns import ProcessRecord


def require_root() -> None:
    """Refuse to go on unless running as root (namespaces, overlay mounts)."""
    netns.require_root("the fast lane needs root (network, mount and PID namespaces)",
                       "run it as root, e.g. sudo python -m vrtest.fastlane ...")


class LedgerClosed(RuntimeError):
    """A resource was asked for after the run was torn down."""


class Ledger:
    """The resources one fast-lane run made, mirrored in ``state.json``."""

    def __init__(self, state_file: Path, *, namespaces: Sequence[str] = (),
                 processes: Sequence[ProcessRecord] = ()) -> None:
        self.state_file = state_file
        self.netns: list[str] = list(namespaces)
        self.processes: list[ProcessRecord] = list(processes)
        self.closed = False
        self.lock = threading.Lock()
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self._save()

    def _save(self) -> None:
        data = {"owner": os.getpid(), "owner_start": netns.start_time(os.getpid()),
                "netns": self.netns, "processes": self.processes}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.state_file)

    def add_netns(self, name: str) -> None:
        """Record, then create, a named network namespace with loopback up."""
        with self.lock:
            self._refuse_if_closed()
            self.netns.append(name)
            self._save()
        netns.add_netns(name)

    def add_pid(self, pid: int) -> None:
        """Record a sandbox holder (its command line names the run directory) to kill at cleanup."""
        record = ProcessRecord(pid=pid, start=netns.start_time(pid) or 0)
        with self.lock:
            if self.closed:
                netns.kill_and_wait([record])
            self._refuse_if_closed()
            self.processes.append(record)
            self._save()

    def _refuse_if_closed(self) -> None:
        if self.closed:
            raise LedgerClosed("the sandbox was torn down (interrupted)")

    def cleanup(self) -> list[str]:
        """Kill recorded processes, delete recorded namespaces; return what failed."""
        with self.lock:
            self.closed = True
            problems = [f"process {pid} still running"
                        for pid in netns.kill_and_wait(self.processes)]
            for name in reversed(self.netns):
                netns.delete_netns(name)
                if netns.netns_exists(name):
                    problems.append(f"netns {name} not deleted")
            self.processes, self.netns = [], []
            with contextlib.suppress(FileNotFoundError):
                self.state_file.unlink()
            return problems


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _owner_alive(data: dict[str, object]) -> bool:
    owner = data.get("owner")
    return isinstance(owner, int) and netns.is_alive(
        ProcessRecord(pid=owner, start=int(str(data.get("owner_start") or 0))))


def sweep(state_dir: Path) -> list[str]:
    """Clean up after runs whose owner died (SIGKILL, power loss); return what was removed."""
    removed: list[str] = []
    for state_file in sorted(state_dir.rglob("state.json")):
        try:
            data = json.loads(state_file.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or _owner_alive(data):
            continue
        marker = str(state_file.parent)
        holders = [ProcessRecord(pid=int(p["pid"]), start=int(p["start"]))
                   for p in data.get("processes", [])
                   if marker in _cmdline(int(p["pid"]))]  # is_alive checks the start time
        namespaces = [str(name) for name in data.get("netns", [])]
        removed.extend(namespaces)
        Ledger(state_file, namespaces=namespaces, processes=holders).cleanup()
    return removed
