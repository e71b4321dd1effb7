"""Look at a running lab from outside: router roles, listening daemons, process memory."""

from __future__ import annotations

from pathlib import Path

from vrtest.lab.netns import run
from vrtest.lab.paths import LabPaths

CHECKROUTER = "/opt/cloud/bin/checkrouter.sh"


def checkrouter(paths: LabPaths, router: str) -> str:
    """What ``checkrouter.sh`` prints in ``router`` (``PRIMARY``, ``BACKUP``, ``FAULT``...)."""
    argv = paths.enter(router, ["/bin/bash", CHECKROUTER])
    done = run(argv, check=False, timeout=10)
    for line in done.stdout.splitlines():
        if line.startswith("Status:"):
            return line.split(":", 1)[1].strip()
    return "UNKNOWN"


def public_nic_up(paths: LabPaths, router: str, device: str) -> bool:
    """True when ``device`` in ``router`` is administratively and operationally UP."""
    done = run(paths.enter(router, ["ip", "-br", "link", "show", "dev", device]), check=False,
               timeout=10)
    fields = done.stdout.split()
    return len(fields) > 1 and fields[1] == "UP"


def listening(pid: int, port: int) -> bool:
    """True when process ``pid``'s network namespace has a TCP socket listening on ``port``."""
    wanted = f":{port:04X}"
    try:
        lines = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return False
    return any(line.split()[1].endswith(wanted) and line.split()[3] == "0A" for line in lines)


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its children, in KiB (0 when gone)."""
    total = 0
    for member in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def pss_kib(pid: int) -> int:
    """Proportional set size of ``pid`` and its children in KiB (shared pages split fairly)."""
    total = 0
    for member in [pid, *_children(pid)]:
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        for task in tasks:
            text = (task / "children").read_text().split()
            for child in map(int, text):
                found += [child, *_children(child)]
    except OSError:
        pass
    return found
