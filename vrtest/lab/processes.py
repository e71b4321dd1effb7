"""Start the lab's daemons inside their namespaces and wait until they serve."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable

from vrtest.lab.netns import LabError, ProcessRecord, find_tool, is_alive, spawn
from vrtest.lab.paths import LabPaths
from vrtest.lab.probe import listening
from vrtest.lab.state import LabState

SSHD = ["/usr/sbin/sshd", "-D", "-e", "-f", "/etc/ssh/sshd_config"]
DNSMASQ = ["dnsmasq", "--keep-in-foreground", "--log-facility=-", "--conf-file=/etc/dnsmasq.conf"]
KEEPALIVED = [
    "keepalived",
    "--dont-fork",
    "--log-console",
    "--log-detail",
    "--vrrp",
    "--use-file=/etc/keepalived/keepalived.conf",
    "--pid=/run/keepalived.pid",
    "--vrrp_pid=/run/keepalived_vrrp.pid",
]


def start_in(
    paths: LabPaths, state: LabState, name: str, daemon: str, argv: list[str]
) -> ProcessRecord:
    """Start ``argv`` in ``name``'s namespaces and record it as ``name/daemon``."""
    log = paths.logs / f"{name}-{daemon}.log"
    record = spawn(paths.enter(name, argv), log)
    state.record_process(f"{name}/{daemon}", record)
    return record


def start_sshd(paths: LabPaths, state: LabState, name: str) -> ProcessRecord:
    """Start sshd in ``name`` (its view's ``/etc/ssh/sshd_config``)."""
    return start_in(paths, state, name, "sshd", SSHD)


def start_keepalived(paths: LabPaths, state: LabState, name: str) -> ProcessRecord:
    """Start keepalived (VRRP only, in the foreground) in router ``name``."""
    return start_in(paths, state, name, "keepalived", KEEPALIVED)


def start_dnsmasq(paths: LabPaths, state: LabState, name: str) -> ProcessRecord | None:
    """Start dnsmasq (DHCP/DNS for the guests) in router ``name``, if dnsmasq is installed."""
    if find_tool("dnsmasq") is None:
        return None
    return start_in(paths, state, name, "dnsmasq", DNSMASQ)


def start_api(paths: LabPaths, state: LabState, secret_key: str) -> ProcessRecord:
    """Start the API server process (root namespace, loopback); the secret goes via stdin."""
    argv = [sys.executable, "-m", "vrtest.lab.api", "--state", str(paths.state_file)]
    record = spawn(argv, paths.logs / "api.log", stdin_text=secret_key + "\n")
    state.record_process("api", record)
    return record


def wait_for(
    what: str,
    ready: Callable[[], bool],
    record: ProcessRecord | None,
    *,
    timeout: float = 10.0,
    log: str = "",
) -> None:
    """Poll ``ready`` until true; fail fast with the log's last line if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if record is not None and not is_alive(record):
            raise LabError(f"{what} exited at start{_last_line(log)}")
        time.sleep(0.02)
    raise LabError(f"{what} was not ready after {timeout:g}s{_last_line(log)}")


def wait_listening(what: str, record: ProcessRecord, port: int, log: str = "") -> None:
    """Wait until ``record``'s process listens on TCP ``port`` in its own namespace."""
    wait_for(what, lambda: listening(record["pid"], port), record, log=log)


def wait_connectable(what: str, host: str, port: int, record: ProcessRecord, log: str = "") -> None:
    """Wait until ``host:port`` accepts a TCP connection from here."""

    def ready() -> bool:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            return False

    wait_for(what, ready, record, log=log)


def _last_line(log: str) -> str:
    if not log:
        return ""
    try:
        with open(log) as handle:
            lines = [line.strip() for line in handle if line.strip()]
    except OSError:
        return ""
    return f": {lines[-1]}" if lines else ""
