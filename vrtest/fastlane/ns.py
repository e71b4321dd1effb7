"""Namespace and process bookkeeping for fast-lane sandboxes, over ``vrtest.lab.netns``.

Every network namespace and holder PID (with its start time, so a reused PID is never
killed) is written to a state file *before* it is made, so :meth:`Ledger.cleanup` (and
:func:`sweep` after a crash) removes exactly those.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path

from vrtest.errors import ConfigError
from vrtest.lab import netns

IP_TIMEOUT = 15


def ip_batch(lines: list[str], *, netns_name: str | None = None) -> None:
    """Run several ``ip`` commands in one process (``ip -batch -``); a failure raises LabError."""
    where = ["-n", netns_name] if netns_name else []
    netns.run(["ip", *where, "-batch", "-"], input_text="\n".join(lines) + "\n",
              timeout=IP_TIMEOUT)


def require_root() -> None:
    """Refuse to go on unless running as root (namespaces, overlay mounts)."""
    if os.geteuid() != 0:
        raise ConfigError("the fast lane needs root (network, mount and PID namespaces)",
                          hint="run it as root, e.g. sudo python -m vrtest.fastlane ...")


class LedgerClosed(RuntimeError):
    """A resource was asked for after the run was torn down."""


class Ledger:
    """The resources one fast-lane run made, mirrored in ``state.json``."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self.netns: list[str] = []
        self.pids: list[int] = []
        self.starts: dict[int, int | None] = {}
        self.closed = False
        self.lock = threading.Lock()
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self._save()

    def _save(self) -> None:
        data = {"owner": os.getpid(), "owner_start": netns.start_time(os.getpid()),
                "netns": self.netns, "pids": self.pids,
                "starts": {str(k): v for k, v in self.starts.items()}}
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
        with self.lock:
            if self.closed:
                _kill_all([pid])
            self._refuse_if_closed()
            self.pids.append(pid)
            self.starts[pid] = netns.start_time(pid)
            self._save()

    def _refuse_if_closed(self) -> None:
        if self.closed:
            raise LedgerClosed("the sandbox was torn down (interrupted)")

    def cleanup(self) -> list[str]:
        """Kill recorded processes, delete recorded namespaces; return what failed."""
        with self.lock:
            self.closed = True
            problems = _kill_all(self.pids)
            for name in reversed(self.netns):
                netns.delete_netns(name)
                if netns.netns_exists(name):
                    problems.append(f"netns {name} not deleted")
            self.pids, self.netns = [], []
            with contextlib.suppress(FileNotFoundError):
                self.state_file.unlink()
            return problems


def _kill_all(pids: list[int]) -> list[str]:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not _alive(pid):
                alive.remove(pid)
        if alive:
            time.sleep(0.02)
    return [f"process {pid} still running" for pid in alive]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def sweep(state_dir: Path) -> list[str]:
    """Clean up after runs whose owner died (SIGKILL, power loss); return what was removed."""
    removed: list[str] = []
    for state_file in sorted(state_dir.rglob("state.json")):
        try:
            data = json.loads(state_file.read_text())
        except (OSError, ValueError):
            continue
        owner = int(data.get("owner", 0))
        if _alive(owner) and netns.start_time(owner) == data.get("owner_start"):
            continue
        ledger = Ledger.__new__(Ledger)
        ledger.state_file = state_file
        ledger.closed, ledger.lock, ledger.starts = False, threading.Lock(), {}
        ledger.netns = list(data.get("netns", []))
        marker, starts = str(state_file.parent), data.get("starts", {})
        ledger.pids = [p for p in data.get("pids", []) if marker in _cmdline(p)
                       and netns.start_time(p) == starts.get(str(p))]
        removed.extend(ledger.netns)
        ledger.cleanup()
    return removed
