"""paramiko access through a real hop sshd to real router sshds, in namespaces made per session."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import sshlab
from vrtest.access import AccessPool, AccessSettings, HopLogin
from vrtest.access.shells import CommandTimeout, quote_argv, run_batch, ssh_command_argv
from vrtest.errors import UnreachableError

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab() -> Iterator[sshlab.SshLab]:
    reason = sshlab.available()
    if reason:
        pytest.skip(reason)
    topology = sshlab.start(routers=3)
    try:
        yield topology
    finally:
        topology.close()


def make_pool(lab: sshlab.SshLab, tmp_path: Path, **overrides: object) -> AccessPool:
    values: dict[str, object] = {"key_on_hop": lab.vr_key_on_hop,
                                 "known_hosts": str(tmp_path / "known_hosts"),
                                 "connect_timeout": 3.0, "command_timeout": 5.0}
    values.update(overrides)
    settings = AccessSettings(**values)  # type: ignore[arg-type]
    login = HopLogin(lab.hop_ip, "root", key_file=lab.hop_login_key)
    return AccessPool(settings, lambda address: login)


def test_forward_mode_runs_commands_through_one_hop_connection(
        lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path)
    try:
        for name, ip in lab.routers.items():
            shell = pool.shell(name, ip, lab.hop_ip)
            result = shell.run("ip -br -4 addr show dev eth0; echo to-stderr >&2; exit 3")
            shell.close()
            assert ip in result.stdout
            assert result.stderr == "to-stderr\n" and result.exit_status == 3
        assert pool.hop_connects == 1  # one transport to the hop, reused for every router
    finally:
        pool.close()


def test_vr_key_is_read_over_sftp_not_from_a_local_file(
        lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path)
    try:
        hop = pool.hop(lab.hop_ip)
        assert hop is not None
        key = hop.vr_key()
        assert key.get_name() == "ssh-rsa"
        assert hop.vr_key() is key  # cached for every router behind this hop
    finally:
        pool.close()


def test_missing_vr_key_on_hop_is_unreachable(lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path, key_on_hop="/nonexistent/id_rsa.cloud")
    try:
        with pytest.raises(UnreachableError, match="cannot read the VR key"):
            pool.shell("r-1-VM", lab.routers["r-1-VM"], lab.hop_ip)
    finally:
        pool.close()


def test_ssh_command_mode_quotes_the_command(lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path, mode="ssh-command")
    try:
        shell = pool.shell("r-2-VM", lab.routers["r-2-VM"], lab.hop_ip)
        result = shell.run("printf '%s\\n' \"$(ip -br -4 addr show dev eth0)\" 'a b;$(x)'")
        assert lab.routers["r-2-VM"] in result.stdout
        assert result.stdout.splitlines()[-1] == "a b;$(x)"
        assert pool.hop_connects == 1
    finally:
        pool.close()


def test_ssh_command_argv_is_quoted_in_one_place() -> None:
    argv = ssh_command_argv("/root/.ssh/id_rsa.cloud", 3922, "169.254.3.3", "echo 'x'; id", 5)
    line = quote_argv(argv)
    assert line.startswith("ssh -i /root/.ssh/id_rsa.cloud -p 3922 ")
    assert line.endswith("169.254.3.3 'echo '\"'\"'x'\"'\"'; id'")


def test_router_with_sshd_down_is_unreachable_and_others_work(
        lab: sshlab.SshLab, tmp_path: Path) -> None:
    stopped = sshlab.start_extra_router(lab, 9)
    lab.stop_sshd(stopped)
    pool = make_pool(lab, tmp_path)
    try:
        with pytest.raises(UnreachableError, match=r"r-9-VM|169\.254"):
            pool.shell(stopped, lab.routers[stopped], lab.hop_ip).run("true")
        assert pool.shell("r-1-VM", lab.routers["r-1-VM"], lab.hop_ip).run("true").ok
    finally:
        pool.close()


def test_ssh_command_mode_reports_unreachable_router(lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path, mode="ssh-command", connect_timeout=1.0)
    try:
        with pytest.raises(UnreachableError, match="r-404-VM"):
            pool.shell("r-404-VM", "169.254.200.200", lab.hop_ip).run("true")
    finally:
        pool.close()


def test_command_timeout(lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path, command_timeout=1.0)
    try:
        shell = pool.shell("r-1-VM", lab.routers["r-1-VM"], lab.hop_ip)
        with pytest.raises(CommandTimeout):
            shell.run("sleep 5")
        assert shell.run("echo still-usable").stdout == "still-usable\n"
    finally:
        pool.close()


def test_one_reconnect_after_a_dropped_hop_transport(lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path)
    try:
        hop = pool.hop(lab.hop_ip)
        assert hop is not None
        assert hop.run("echo one", 5).stdout == "one\n"
        hop.transport().close()  # the connection drops (host rebooted, idle timeout...)
        shell = pool.shell("r-1-VM", lab.routers["r-1-VM"], lab.hop_ip)
        assert shell.run("echo two").stdout == "two\n"
        assert hop.connects == 2
    finally:
        pool.close()


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def test_a_silent_hop_is_reconnected_not_reused(lab: sshlab.SshLab, tmp_path: Path) -> None:
    """The hop's session freezes with TCP still open: paramiko keeps calling the transport active;
    the pool must notice and reconnect instead of failing every router on the dead one."""
    pool = make_pool(lab, tmp_path, connect_timeout=1.0)
    listener = lab.sshd["hop"].pid
    before = _descendants(listener)
    frozen: set[int] = set()
    try:
        hop = pool.hop(lab.hop_ip)
        assert hop is not None
        assert hop.run("echo one", 5).stdout == "one\n"
        frozen = _descendants(listener) - before  # this connection's sshd processes
        assert frozen
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        assert hop.transport().is_active()  # nothing closed: the peer just went silent
        outcome: list[object] = []

        def use_a_router() -> None:
            try:
                shell = pool.shell("r-1-VM", lab.routers["r-1-VM"], lab.hop_ip)
                outcome.append(shell.run("echo two").stdout)
            except Exception as exc:  # reported through the assertion below
                outcome.append(exc)

        worker = threading.Thread(target=use_a_router, daemon=True)
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive(), "hung on the silent hop instead of reconnecting"
        assert outcome == ["two\n"]
        assert hop.connects == 2
    finally:
        for pid in frozen:  # end the silent session first, so nothing can wait on it
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pool.close()
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                os.kill(pid, signal.SIGCONT)


def test_concurrent_routers_share_the_hop(lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path)
    outputs: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def check(name: str) -> None:
        try:
            shell = pool.shell(name, lab.routers[name], lab.hop_ip)
            outputs.append((name, shell.run("ip -br -4 addr show dev eth0").stdout))
            shell.close()
        except BaseException as exc:
            errors.append(exc)

    running = [name for name in lab.routers if name in lab.sshd]
    threads = [threading.Thread(target=check, args=(name,)) for name in running
               for _ in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(outputs) == len(threads)
        assert all(lab.routers[name] in output for name, output in outputs)
        assert pool.hop_connects == 1
    finally:
        pool.close()


def test_host_key_policies(lab: sshlab.SshLab, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    strict = make_pool(lab, tmp_path, host_key_policy="strict")
    with pytest.raises(UnreachableError, match="unreachable"):
        strict.hop(lab.hop_ip).run("true", 5)  # type: ignore[union-attr]
    strict.close()
    assert not known.exists()
    accept = make_pool(lab, tmp_path, host_key_policy="accept-new")
    accept.hop(lab.hop_ip).run("true", 5)  # type: ignore[union-attr]
    accept.close()
    assert lab.hop_ip in known.read_text()  # pinned on first use
    strict = make_pool(lab, tmp_path, host_key_policy="strict")
    assert strict.hop(lab.hop_ip).run("echo ok", 5).stdout == "ok\n"  # type: ignore[union-attr]
    strict.close()
    line = known.read_text().split()
    other = (lab.workdir / "hostkey-r-1-VM.pub").read_text().split()
    known.write_text(f"{line[0]} {other[0]} {other[1]}\n")  # the host key "changed"
    changed = make_pool(lab, tmp_path, host_key_policy="accept-new")
    with pytest.raises(UnreachableError, match="does not match"):
        changed.hop(lab.hop_ip).run("true", 5)  # type: ignore[union-attr]
    changed.close()
    ignore = make_pool(lab, tmp_path, host_key_policy="ignore", known_hosts=str(tmp_path / "n"))
    assert ignore.hop(lab.hop_ip).run("echo ok", 5).ok  # type: ignore[union-attr]
    ignore.close()
    assert not (tmp_path / "n").exists()


def test_batch_runs_every_command_in_one_session(lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path)
    commands = ["echo out; echo err >&2", "exit 7", "printf 'no newline'", "cat /nonexistent",
                "echo '@@ not a marker @@'"]
    try:
        shell = pool.shell("r-1-VM", lab.routers["r-1-VM"], lab.hop_ip)
        results = run_batch(shell, commands)
    finally:
        pool.close()
    assert [(r.exit_status, r.stdout, r.stderr) for r in results.values()] == [
        (0, "out\n", "err\n"), (7, "", ""), (0, "no newline", ""),
        (1, "", "cat: /nonexistent: No such file or directory\n"),
        (0, "@@ not a marker @@\n", "")]


# paramiko's own transport thread may also hit the dead socket as it winds down; that is
# inside paramiko and harmless, what matters is that vrtest's close() does not raise.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_closing_a_router_shell_after_its_hop_dropped_never_raises(
        lab: sshlab.SshLab, tmp_path: Path) -> None:
    pool = make_pool(lab, tmp_path)
    try:
        shell = pool.shell("r-1-VM", lab.routers["r-1-VM"], lab.hop_ip)
        assert shell.run("echo up").stdout == "up\n"
        hop = pool.hop(lab.hop_ip)
        assert hop is not None
        # The hop's TCP connection breaks under paramiko before its reader thread notices:
        # the router's disconnect message, sent through the hop channel, hits a dead socket.
        hop.transport().sock.shutdown(socket.SHUT_WR)
        shell.close()  # must not raise EOFError
        shell.close()  # and closing twice is harmless
    finally:
        pool.close()
