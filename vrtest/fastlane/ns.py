"""Namespace and process bookkeeping for fast-lane sandboxes (to fold into vrtest/lab/netns.py).

Every network namespace and PID is written to a state file *before* it is made, so
:meth:`Ledger.cleanup` (and :func:`sweep` after a crash) removes exactly those.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

IP_TIMEOUT = 15


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``ip ARGS`` (argv list, no shell)."""
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=IP_TIMEOUT,
                            check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


def netns_exists(name: str) -> bool:
    """True when ``/run/netns/NAME`` exists."""
    return os.path.exists(f"/run/netns/{name}")


def list_netns(prefix: str) -> list[str]:
    """Named network namespaces whose name starts with ``prefix``."""
    try:
        return sorted(n for n in os.listdir("/run/netns") if n.startswith(prefix))
    except FileNotFoundError:
        return []


class LedgerClosed(RuntimeError):
    """A resource was asked for after the run was torn down."""


class Ledger:
    """The resources one fast-lane run made, mirrored in ``state.json``."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self.netns: list[str] = []
        self.pids: list[int] = []
        self.closed = False
        self.lock = threading.Lock()
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self._save()

    def _save(self) -> None:
        data = {"owner": os.getpid(), "netns": self.netns, "pids": self.pids}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.state_file)

    def add_netns(self, name: str) -> None:
        """Record, then create, a named network namespace with loopback up."""
        with self.lock:
            self._refuse_if_closed()
            self.netns.append(name)
            self._save()
            ip("netns", "add", name)
        ip("-n", name, "link", "set", "lo", "up")

    def add_pid(self, pid: int) -> None:
        """Record a sandbox holder (its command line names the run directory) to kill at cleanup."""
        with self.lock:
            if self.closed:
                _kill_all([pid])
            self._refuse_if_closed()
            self.pids.append(pid)
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
                if netns_exists(name) and ip("netns", "del", name, check=False).returncode:
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
    for state_file in sorted(state_dir.glob("*/state.json")):
        try:
            data = json.loads(state_file.read_text())
        except (OSError, ValueError):
            continue
        if _alive(int(data.get("owner", 0))):
            continue
        ledger = Ledger.__new__(Ledger)
        ledger.state_file = state_file
        ledger.closed, ledger.lock = False, threading.Lock()
        ledger.netns = list(data.get("netns", []))
        marker = str(state_file.parent)
        ledger.pids = [p for p in data.get("pids", []) if marker in _cmdline(p)]
        removed.extend(ledger.netns)
        ledger.cleanup()
    return removed
