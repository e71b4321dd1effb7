"""``vrtest check`` against the embedded lab: healthy, then each fault (needs vrtest.lab + root)."""

from __future__ import annotations

import ctypes
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest
import yaml

from tests.conftest import CliRunner
from tests.lab_descriptor import write_lab_descriptor
from vrtest.access.pool import AccessPool
from vrtest.access.settings import AccessSettings, hop_login_for
from vrtest.checks.registry import select_checks
from vrtest.checks.runner import check_routers
from vrtest.checks.session import client_for
from vrtest.cli import main
from vrtest.cloudstack.discovery import discover_routers
from vrtest.console import Console
from vrtest.environment import load_environment
from vrtest.lab.config import LabConfig
from vrtest.lab.paths import LabPaths
from vrtest.results import Outcome, SuiteResult

pytestmark = pytest.mark.lab
T = TypeVar("T")
CLONE_NEWNET = 0x40000000

# The lab starts dnsmasq only where it is installed; without it dhcp-dns is checked apart.
STATE_CHECKS = ("default-route", "iptables-policy", "redundant-state", "vpn", "services") + (
    ("dhcp-dns",) if shutil.which("dnsmasq") else ())


def _lab(envs_dir: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["lab", "--env", "cklab", "--envs-dir", str(envs_dir), *args],
                console=Console(out, err, environ={}))
    return code, out.getvalue() + err.getvalue()


def _settle(envs_dir: Path, timeout: float = 30.0) -> None:
    """Wait until keepalived has elected (the pair agrees with the API), as after any failover."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out, err = io.StringIO(), io.StringIO()
        code = main(["check", "--env", "cklab", "--envs-dir", str(envs_dir),
                     "--check", "redundant-state"], console=Console(out, err, environ={}))
        if code == 0:
            return
        time.sleep(1)
    raise AssertionError(f"the redundant pair did not settle:\n{out.getvalue()}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("the lab needs root")
    envs_dir = tmp_path_factory.mktemp("cklab")
    write_lab_descriptor(envs_dir, "cklab")
    try:
        code, output = _lab(envs_dir, "up")
        assert code == 0, output
        _settle(envs_dir)
        yield envs_dir
    finally:
        _lab(envs_dir, "down")


def check(cli: CliRunner, envs_dir: Path, *checks: str) -> tuple[int, str]:
    selected = [arg for name in checks for arg in ("--check", name)]
    result = cli("check", "--env", "cklab", "--envs-dir", str(envs_dir), *selected)
    return result.code, result.out


def outcomes(out: str) -> dict[tuple[str, str], str]:
    """(router, check) -> RESULT from the text table."""
    table = out.split("\n\n", 1)[0].splitlines()[1:]
    return {(words[0], words[1]): words[2] for words in (line.split() for line in table)}


def test_healthy_lab_passes(cli: CliRunner, lab: Path) -> None:
    code, out = check(cli, lab, *STATE_CHECKS)
    assert code == 0, out
    found = outcomes(out)
    assert found[("r-4-VM", "default-route")] == "PASSED"
    assert found[("r-6-VM", "redundant-state")] == "PASSED"
    assert found[("r-7-VM", "default-route")] == "PASSED"  # BACKUP: no default route, nic down
    assert "FAILED" not in out and "ERROR" not in out


def test_via_management_server_reaches_every_router_through_that_one_hop(
        cli: CliRunner, lab: Path) -> None:
    """VMware's way: SSH to the management server, then each router's linklocalip:3922 with the
    key kept there. The lab's host plays the management server; the host's own credentials in
    the descriptor are made wrong so only the management-server hop can have been used."""
    data = yaml.safe_load((lab / "cklab.yaml").read_text())
    host = data["zones"][0]["pods"][0]["clusters"][0]["hosts"][0]
    data["management"]["ssh"] = {"host": host["address"], "port": 22, "username": "root",
                                 "password": host["password"]}
    host["password"] = "not-the-host-password"
    data["name"] = "cklab-ms"
    data["vr_access"]["via"] = "management-server"
    (lab / "cklab-ms.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    result = cli("check", "--env", "cklab-ms", "--envs-dir", str(lab), "--check", "default-route",
                 "--format", "json")
    assert result.code == 0, result.out + result.err
    tests = {test["name"]: test["outcome"] for test in json.loads(result.out)["tests"]}
    assert tests == {f"default-route[r-{n}-VM]": "passed" for n in (4, 5, 6, 7)}
    assert "not-the-host-password" not in result.out + result.err


def test_dhcp_hosts_cover_every_vm_of_the_lab(cli: CliRunner, lab: Path) -> None:
    _, out = check(cli, lab, "dhcp-dns")
    assert "VM entries not checked" not in out  # the lab's API has listVirtualMachines
    for line in out.split("\n\n", 1)[0].splitlines()[1:]:
        assert "not in /etc/dhcphosts.txt" not in line and "duplicate" not in line, line
        if "FAILED" in line:  # the lab runs no dnsmasq; nothing else may be wrong
            assert line.endswith("dnsmasq is not running"), line


@pytest.mark.parametrize(("router", "fault", "failing"), [
    ("r-4-VM", "default-route", {("r-4-VM", "default-route")}),
    ("r-5-VM", "iptables-policy", {("r-5-VM", "iptables-policy")}),
    ("r-6-VM", "split-brain", {("r-6-VM", "redundant-state"), ("r-7-VM", "redundant-state")}),
    ("r-7-VM", "keepalived-down", {("r-7-VM", "redundant-state"), ("r-7-VM", "services")}),
])
def test_each_fault_fails_its_check_only(cli: CliRunner, lab: Path, router: str, fault: str,
                                         failing: set[tuple[str, str]]) -> None:
    code, output = _lab(lab, "break", router, fault)
    assert code == 0, output
    try:
        code, out = check(cli, lab, *STATE_CHECKS)
    finally:
        _lab(lab, "repair", router)
        _settle(lab)
    found = outcomes(out)
    assert {key for key, result in found.items() if result == "FAILED"} == failing, out
    assert code == 1
    assert f"[{router}]:" in out  # the failure names the router, with the evidence below it
    assert "  $ " in out


def test_router_with_sshd_down_is_unreachable_others_checked(cli: CliRunner, lab: Path) -> None:
    code, output = _lab(lab, "break", "r-5-VM", "vr-sshd-down")
    assert code == 0, output
    try:
        code, out = check(cli, lab, *STATE_CHECKS)
    finally:
        _lab(lab, "repair", "r-5-VM")
        _settle(lab)
    found = outcomes(out)
    assert code == 3, out
    assert {found[("r-5-VM", name)] for name in STATE_CHECKS} == {"ERROR"}
    assert found[("r-4-VM", "default-route")] == "PASSED"
    assert "ERROR r-5-VM (default-route, iptables-policy" in out


def _backup(cli: CliRunner, envs_dir: Path) -> str:
    """The router of the lab's pair that checkrouter.sh calls BACKUP now."""
    _, out = check(cli, envs_dir, "redundant-state")
    [name] = [line.split()[0] for line in out.splitlines()
              if line.split()[1:4] == ["redundant-state", "PASSED", "BACKUP;"]]
    return name


def test_an_electing_pair_is_re_polled_until_it_settles(cli: CliRunner, lab: Path) -> None:
    # the BACKUP loses keepalived (checkrouter.sh: FAULT) and gets it back 1.5 s into the
    # check, while redundant-state is re-polling the pair (the BACKUP, not the PRIMARY: a
    # PRIMARY coming back preempts its peer right after the takeover, and the lab's notify
    # hooks can then run out of order)
    backup = _backup(cli, lab)
    code, output = _lab(lab, "break", backup, "keepalived-down")
    assert code == 0, output
    repair = threading.Timer(1.5, subprocess.run, args=([
        sys.executable, "-m", "vrtest", "lab", "--env", "cklab", "--envs-dir", str(lab),
        "repair", backup],), kwargs={"capture_output": True, "check": False})
    started = time.monotonic()
    repair.start()
    try:
        code, out = check(cli, lab, "redundant-state")
    finally:
        repair.join()
        _settle(lab)
    assert code == 0, out
    assert "pair was electing: checkrouter.sh said FAULT" in out
    assert "settled, now BACKUP" in out
    assert time.monotonic() - started < 15


def _in_network_namespace(netns: str, work: Callable[[], T]) -> T:
    """Run ``work`` in a thread switched into ``netns`` (threads it starts inherit it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            with open(f"/run/netns/{netns}") as handle:
                if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns {netns}")
            results.append(work())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def test_via_direct_reaches_the_routers_from_inside_the_host(lab: Path, tmp_path: Path) -> None:
    # what a runner on the hypervisor host itself does: no hop, link-local:3922 directly
    env = load_environment("cklab", envs_dir=lab)
    paths = LabPaths.of(LabConfig.from_environment(env))
    key = tmp_path / "id_rsa.cloud"
    key.write_text(subprocess.run(paths.enter("host", ["cat", "/root/.ssh/id_rsa.cloud"]),
                                  capture_output=True, text=True, check=True).stdout)
    key.chmod(0o600)
    routers = discover_routers(client_for(env))
    settings = replace(AccessSettings.from_environment(env), via="direct", key_file=str(key))
    pool = AccessPool(settings, lambda address: hop_login_for(env, settings, address))
    assert pool.hop(routers[0].host_address) is None  # no hop: straight to the router

    def check_all() -> SuiteResult:
        try:
            return check_routers(routers, lambda r: pool.shell(r.name, r.linklocal_ip, ""),
                                 select_checks(["default-route", "iptables-policy",
                                                "redundant-state"]))
        finally:
            pool.close()

    result = _in_network_namespace(paths.netns("host"), check_all)
    outcomes_by_test = {test.name: test.outcome for test in result.tests}
    assert outcomes_by_test["default-route[r-4-VM]"] is Outcome.PASSED, result.tests
    assert outcomes_by_test["redundant-state[r-6-VM]"] is Outcome.PASSED, result.tests
    assert not [t for t in result.tests if t.outcome in (Outcome.FAILED, Outcome.ERROR)]
    assert pool.hop_connects == 0
