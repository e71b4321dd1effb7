"""Sandboxed routers: network + mount + PID namespaces, an overlay root, peers on bridges.

One :class:`SandboxGroup` holds a scenario's routers and one peer namespace whose bridges
``x0..xN`` join every router's ``ethN`` (so a redundant pair shares its segments). Commands
run inside a router with ``nsenter`` as this process's children, with a timeout.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from vrtest.errors import VrtestError
from vrtest.fastlane.ns import Ledger, LedgerClosed
from vrtest.lab import netns as lab_netns

SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
UP_TIMEOUT = 30.0
PR_SET_PDEATHSIG = 1


class SandboxError(VrtestError):
    """A sandbox could not be built or a command in it could not run."""


@dataclass(frozen=True)
class CommandResult:
    """What one command run on a router gave (as ``RouterShell.run`` returns)."""

    command: str
    exit_status: int
    stdout: str
    stderr: str


ACTIVE: set[SandboxGroup] = set()  # groups alive in this process (torn down on interrupt)
_ACTIVE_LOCK = threading.Lock()


def close_all() -> None:
    """Tear down every live sandbox group of this process (signal handling, worker threads)."""
    with _ACTIVE_LOCK:
        groups = list(ACTIVE)
    for group in groups:
        group.close()


def nic_mac(router_index: int, nic: int) -> str:
    """The MAC of ``eth<nic>`` on the router with this index (scenarios use it in databags)."""
    return f"02:00:00:{router_index:02x}:{nic:02x}:01"


class Router:
    """One sandboxed router: commands run inside all its namespaces, chrooted."""

    def __init__(self, name: str, netns: str, init_pid: int) -> None:
        self.name = name
        self.netns = netns
        self.init_pid = init_pid

    def run(self, argv: list[str], *, timeout: float = 60.0, cwd: str = "/",
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the router; raise SandboxError on timeout."""
        full = ["nsenter", "-t", str(self.init_pid), "-n", "-m", "-p", "-r", "-w",
                "env", "-i", "-C", cwd, f"PATH={SANDBOX_PATH}", "HOME=/root", "LANG=C.UTF-8",
                *argv]
        try:
            return subprocess.run(full, input=stdin, capture_output=True, text=True,
                                  timeout=timeout, check=False, errors="replace")
        except subprocess.TimeoutExpired as exc:
            raise SandboxError(f"{self.name}: {' '.join(argv)} timed out after {timeout:g}s",
                               hint="the scripts under test hung; see the sandbox log") from exc

    def shell(self, command: str, *, timeout: float = 30.0) -> CommandResult:
        """Run a shell command line inside the router (the VR-check backend)."""
        result = self.run(["/bin/bash", "-c", command], timeout=timeout)
        return CommandResult(command, result.returncode, result.stdout, result.stderr)

    def write(self, path: str, text: str) -> None:
        """Write a file inside the router's private root."""
        result = self.run(["/bin/bash", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"',
                           "write", path], stdin=text, timeout=10)
        if result.returncode:
            raise SandboxError(f"{self.name}: cannot write {path}: {result.stderr.strip()}")


class SandboxGroup:
    """A scenario's routers and their shared peer namespace; removed on exit, whatever happens."""

    def __init__(self, prefix: str, run_dir: Path, vr_files: Path, pkg_root: Path | None,
                 *, nics: int = 4, backend: str = "nft") -> None:
        self.prefix = prefix
        self.run_dir = run_dir
        self.vr_files = vr_files
        self.pkg_root = pkg_root
        self.nics = nics
        self.backend = backend
        self.peer = f"{prefix}-px"
        self.routers: dict[str, Router] = {}
        self.ledger = Ledger(run_dir / "state.json")
        with _ACTIVE_LOCK:
            ACTIVE.add(self)

    def __enter__(self) -> SandboxGroup:
        try:
            self._make_peer()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> list[str]:
        """Kill every sandbox process and delete every namespace this group made."""
        problems = self.ledger.cleanup()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        with _ACTIVE_LOCK:
            ACTIVE.discard(self)
        return problems

    def _make_peer(self) -> None:
        self.ledger.add_netns(self.peer)
        lab_netns.ip_batch([line for nic in range(self.nics) for line in (
            f"link add x{nic} address 02:00:00:fe:{nic:02x}:fe type bridge",
            f"link set x{nic} up")], netns=self.peer)

    def peer_run(self, argv: list[str], timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
        """Run a command in the peer namespace (gateways, guest VMs, VPN peers)."""
        return subprocess.run(["ip", "netns", "exec", self.peer, *argv], capture_output=True,
                              text=True, timeout=timeout, check=False)

    def add_router(self, name: str, index: int) -> Router:
        """Create a router: netns with eth0..ethN on the peer bridges, overlay root, init."""
        netns = f"{self.prefix}-{index}"
        self.ledger.add_netns(netns)
        lab_netns.ip_batch([
            f"link add eth{nic} netns {netns} address {nic_mac(index, nic)} type veth "
            f"peer name p{index}-{nic} netns {self.peer}" for nic in range(self.nics)])
        lab_netns.ip_batch([f"link set p{index}-{nic} master x{nic} up"
                            for nic in range(self.nics)], netns=self.peer)
        router = Router(name, netns, self._start_init(name, netns))
        self.routers[name] = router
        return router

    def _start_init(self, name: str, netns: str) -> int:
        run = self.run_dir / netns
        (run / "ovl").mkdir(parents=True)
        (run / "merged").mkdir()
        argv = ["nsenter", f"--net=/run/netns/{netns}", "--", "unshare", "--mount", "--pid",
                "--fork", "--propagation", "private", "--kill-child", "--",
                sys.executable, "-m", "vrtest.fastlane.inner", str(run), str(self.vr_files),
                str(self.pkg_root or "-"), name, self.backend,
                "kernel" if kernel_has_esp() else "userspace"]
        with open(run / "holder.log", "w") as log:
            holder = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True,
                                      preexec_fn=_die_with_parent)
        try:
            self.ledger.add_pid(holder.pid)
        except LedgerClosed as exc:
            holder.wait()
            raise SandboxError(str(exc)) from exc
        return self._wait_for_init(holder, run)

    def _wait_for_init(self, holder: subprocess.Popen[bytes], run: Path) -> int:
        deadline = time.monotonic() + UP_TIMEOUT
        while time.monotonic() < deadline:
            if holder.poll() is not None:
                log = (run / "holder.log").read_text(errors="replace").strip()
                raise SandboxError(f"sandbox {run.name} failed to start: {log[-500:]}")
            init = _child_pid(holder.pid)
            if init and (run / "ready").exists() and _chrooted(init):
                return init
            time.sleep(0.01)
        raise SandboxError(f"sandbox {run.name} did not start within {UP_TIMEOUT:g}s")


@functools.cache
def kernel_has_esp() -> bool:
    """Whether this kernel can hold IPsec ESP states (``CONFIG_INET_ESP``); probed once.

    The probe adds a state in a throwaway network namespace (no packet is sent).
    """
    probe = ["unshare", "--net", "ip", "xfrm", "state", "add", "src", "192.0.2.1", "dst",
             "192.0.2.2", "proto", "esp", "spi", "0x100", "mode", "tunnel",
             "enc", "cbc(aes)", "0x" + "00" * 16, "auth", "hmac(sha1)", "0x" + "00" * 20]
    try:
        result = subprocess.run(probe, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return True  # cannot tell: leave strongSwan as the template has it
    return result.returncode == 0


def _die_with_parent() -> None:
    """In the holder before exec: SIGKILL it if the harness dies (kills the whole sandbox)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _child_pid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            children = handle.read().split()
    except OSError:
        return 0
    return int(children[0]) if children else 0


def _chrooted(pid: int) -> bool:
    try:
        return os.readlink(f"/proc/{pid}/root") != "/"
    except OSError:
        return False
