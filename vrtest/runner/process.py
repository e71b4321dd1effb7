"""Start one child in its own process group; on timeout or interrupt, stop the whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

GRACE_SECONDS = 3.0
TAIL_LINES = 40


@dataclass(frozen=True)
class ProcessOutcome:
    """How a child ended."""

    returncode: int | None
    timed_out: bool
    duration: float
    log_tail: str
    start_error: str = ""


class ChildRegistry:
    """Live children, so a signal handler can stop every process group at once."""

    def __init__(self) -> None:
        self._children: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self.stopping = False

    def add(self, child: subprocess.Popen[bytes]) -> None:
        """Track a started child."""
        with self._lock:
            self._children.add(child)

    def remove(self, child: subprocess.Popen[bytes]) -> None:
        """Forget a finished child."""
        with self._lock:
            self._children.discard(child)

    def stop_all(self) -> None:
        """SIGTERM every tracked group, then SIGKILL what is left after a grace period."""
        self.stopping = True
        with self._lock:
            children = list(self._children)
        for child in children:
            stop_group(child)


def stop_group(child: subprocess.Popen[bytes], grace: float = GRACE_SECONDS) -> None:
    """Terminate the child's process group, escalating to SIGKILL."""
    _signal_group(child.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=grace)
    _signal_group(child.pid, signal.SIGKILL)  # leftovers in the group (grandchildren)
    child.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def log_tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file (empty when absent)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16384))
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def run_process(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log: Path,
                timeout: float, registry: ChildRegistry) -> ProcessOutcome:
    """Run ``argv`` (never a shell) with output to ``log``; kill its group after ``timeout``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("ab") as out:
        try:
            child = subprocess.Popen(list(argv), cwd=cwd, env={**os.environ, **env},
                                     stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            return ProcessOutcome(None, False, 0.0, "", f"cannot start {argv[0]}: {exc.strerror}")
        registry.add(child)
        try:
            child.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            stop_group(child)
            timed_out = True
        except BaseException:  # interrupted (SIGINT/SIGTERM) while waiting: stop the group
            stop_group(child)
            raise
        finally:
            registry.remove(child)
    _signal_group(child.pid, signal.SIGKILL)  # no orphans left behind in the group
    return ProcessOutcome(child.returncode, timed_out, time.monotonic() - started, log_tail(log))
