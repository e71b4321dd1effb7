"""Namespace, link, mount and process primitives: argv lists only, never a shell.

Reused by the fast lane. Every function is small and idempotent where it can be
(deleting what is already gone is not an error), so clean-up after a crash works.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypedDict

from vrtest.errors import ConfigError, VrtestError

NETNS_DIR = Path("/run/netns")
_CHILDREN: list[subprocess.Popen[bytes]] = []  # kept so detached children are not reported as leaks
SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#: command -> Debian package that provides it
TOOL_PACKAGES: dict[str, str] = {
    "ip": "iproute2",
    "iptables": "iptables",
    "iptables-restore": "iptables",
    "sshd": "openssh-server",
    "ssh-keygen": "openssh-client",
    "keepalived": "keepalived",
    "nsenter": "util-linux",
    "unshare": "util-linux",
    "mount": "mount",
    "openssl": "openssl",
}


class LabError(VrtestError):
    """A lab operation failed (a command exited non-zero); the message names the command."""


class ProcessRecord(TypedDict):
    """A process the lab started: PID plus its start time, so a reused PID is never killed."""

    pid: int
    start: int


def require_root(
    what: str = "the embedded lab needs root (namespaces, mounts, iptables)",
    hint: str = "run it as root, e.g. sudo vrtest lab up",
) -> None:
    """Refuse to go on unless running as root; ``what`` says who needs it and why."""
    if os.geteuid() != 0:
        raise ConfigError(what, hint=hint)


def find_tool(name: str) -> str | None:
    """Absolute path of ``name`` on PATH or in the sbin directories."""
    return shutil.which(name) or shutil.which(name, path=SBIN_PATH)


def require_tools(names: Iterable[str] = TOOL_PACKAGES) -> None:
    """Raise one clear line naming the first missing tool and its install command."""
    for name in names:
        if find_tool(name) is None:
            package = TOOL_PACKAGES.get(name, name)
            raise ConfigError(
                f"{name} is not installed (the lab needs it)", hint=f"apt-get install {package}"
            )


def run(
    argv: Sequence[str], *, input_text: str | None = None, check: bool = True, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (no shell), capture output; raise :class:`LabError` when it fails."""
    try:
        done = subprocess.run(
            list(argv),
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=_tool_env(),
        )
    except FileNotFoundError:
        require_tools([argv[0]])
        raise
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(argv[:4])} timed out after {timeout:g}s") from None
    if check and done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise LabError(f"{' '.join(argv[:6])} failed: {detail[-1] if detail else done.returncode}")
    return done


def _tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{env.get('PATH', '')}:{SBIN_PATH}"
    env.setdefault("LC_ALL", "C")
    return env


# --- network namespaces ------------------------------------------------------------------------


def netns_path(name: str) -> Path:
    """The bind-mounted file that pins network namespace ``name``."""
    return NETNS_DIR / name


def netns_exists(name: str) -> bool:
    """True when ``ip netns`` knows ``name``."""
    return netns_path(name).exists()


def add_netns(name: str) -> None:
    """Create network namespace ``name`` (if missing) with loopback up."""
    if not netns_exists(name):
        run(["ip", "netns", "add", name])
    run(["ip", "-n", name, "link", "set", "lo", "up"])


def delete_netns(name: str) -> None:
    """Delete network namespace ``name``; gone already is fine."""
    if netns_exists(name):
        run(["ip", "netns", "delete", name], check=False)


def netns_pids(name: str) -> list[int]:
    """PIDs of every process whose network namespace is ``name``."""
    if not netns_exists(name):
        return []
    done = run(["ip", "netns", "pids", name], check=False)
    return [int(word) for word in done.stdout.split() if word.isdigit()]


def ip_batch(commands: Sequence[str], *, netns: str | None = None) -> None:
    """Run many ``ip`` commands in one process (``ip -batch``), inside ``netns`` if given."""
    if not commands:
        return
    argv = ["ip"] + (["-n", netns] if netns else []) + ["-batch", "-"]
    run(argv, input_text="\n".join(commands) + "\n")


def link_exists(name: str, *, netns: str | None = None) -> bool:
    """True when link ``name`` exists (in the root namespace unless ``netns``)."""
    argv = ["ip"] + (["-n", netns] if netns else []) + ["link", "show", "dev", name]
    return run(argv, check=False).returncode == 0


def delete_link(name: str) -> None:
    """Delete root-namespace link ``name``; gone already is fine."""
    if link_exists(name):
        run(["ip", "link", "delete", "dev", name], check=False)


def enter_argv(
    netns: str | None, mntns: Path | None, argv: Sequence[str], *, uts: Path | None = None
) -> list[str]:
    """``argv`` prefixed with the nsenter call that runs it in the given namespaces."""
    prefix = ["nsenter"]
    if netns:
        prefix.append(f"--net={netns_path(netns)}")
    if mntns:
        prefix.append(f"--mount={mntns}")
    if uts:
        prefix.append(f"--uts={uts}")
    return [*prefix, "--", *argv] if len(prefix) > 1 else list(argv)


# --- mounts ------------------------------------------------------------------------------------


def is_mounted(path: Path) -> bool:
    """True when ``path`` is a mount point in this mount namespace."""
    target = str(path)
    with open("/proc/self/mountinfo") as mountinfo:
        return any(line.split()[4] == target for line in mountinfo)


def mount_private_tmpfs(path: Path, *, size: str = "64m") -> None:
    """Mount a private tmpfs on ``path`` (holds views and mount-namespace files)."""
    path.mkdir(parents=True, exist_ok=True)
    if not is_mounted(path):
        run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "lab", str(path)])
    run(["mount", "--make-private", str(path)])


def create_mount_ns(pin: Path) -> None:
    """Create a persistent private mount namespace pinned at file ``pin``."""
    pin.touch(exist_ok=True)
    if not is_mounted(pin):
        run(["unshare", f"--mount={pin}", "--propagation", "private", "true"])


def create_uts_ns(pin: Path, hostname: str) -> None:
    """Create a persistent UTS namespace pinned at file ``pin`` with its own host name."""
    pin.touch(exist_ok=True)
    if not is_mounted(pin):
        run(["unshare", f"--uts={pin}", "hostname", hostname])


def unmount(path: Path) -> None:
    """Unmount ``path`` (lazily, so a busy mount still goes); not mounted is fine."""
    if is_mounted(path):
        run(["umount", "-l", str(path)], check=False)


# --- processes ---------------------------------------------------------------------------------


def start_time(pid: int) -> int | None:
    """The process start time (clock ticks since boot), or None when ``pid`` is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def spawn(argv: Sequence[str], log_path: Path, *, stdin_text: str | None = None) -> ProcessRecord:
    """Start ``argv`` detached (own session), output to ``log_path``; return its record."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=log,
            start_new_session=True,
            stdin=subprocess.PIPE if stdin_text else subprocess.DEVNULL,
            env=_tool_env(),
        )
    if stdin_text is not None and process.stdin:
        process.stdin.write(stdin_text.encode())
        process.stdin.close()
    _CHILDREN.append(process)
    started = start_time(process.pid)
    return ProcessRecord(pid=process.pid, start=started or 0)


def is_alive(record: ProcessRecord) -> bool:
    """True when the recorded process still runs (same PID and same start time)."""
    started = start_time(record["pid"])
    if started is None or started != record["start"]:
        return False
    try:
        status = Path(f"/proc/{record['pid']}/status").read_text()
    except OSError:  # gone between the two reads
        return False
    return "\nState:\tZ" not in status


def stop(record: ProcessRecord, *, timeout: float = 3.0) -> None:
    """SIGTERM the recorded process, SIGKILL it after ``timeout``; reap it if it is our child."""
    if not is_alive(record):
        _reap(record["pid"])
        return
    _signal(record["pid"], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(record["pid"])
        if not is_alive(record):
            return
        time.sleep(0.02)
    _signal(record["pid"], signal.SIGKILL)
    _reap(record["pid"])


def stop_all(records: Iterable[ProcessRecord], *, timeout: float = 3.0) -> None:
    """Stop many recorded processes at once: SIGTERM to all, wait, SIGKILL what is left."""
    for record in _signal_and_wait(records, signal.SIGTERM, timeout):
        _signal(record["pid"], signal.SIGKILL)
        _reap(record["pid"])


def kill_and_wait(records: Iterable[ProcessRecord], *, timeout: float = 5.0) -> list[int]:
    """SIGKILL the recorded processes at once and wait for them; return the PIDs still alive."""
    return [record["pid"] for record in _signal_and_wait(records, signal.SIGKILL, timeout)]


def _signal_and_wait(records: Iterable[ProcessRecord], signum: signal.Signals,
                     timeout: float) -> list[ProcessRecord]:
    """Send ``signum`` to every live recorded process, reap them; return those still alive."""
    alive = [record for record in records if is_alive(record)]
    for record in alive:
        _signal(record["pid"], signum)
    deadline = time.monotonic() + timeout
    while alive and time.monotonic() < deadline:
        for record in alive:
            _reap(record["pid"])
        alive = [record for record in alive if is_alive(record)]
        if alive:
            time.sleep(0.02)
    return alive


def kill_pids(pids: Iterable[int]) -> None:
    """SIGKILL each PID (used for leftovers found inside the lab's own namespaces)."""
    for pid in pids:
        _signal(pid, signal.SIGKILL)
        _reap(pid)


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
