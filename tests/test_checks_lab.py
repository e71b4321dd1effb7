"""``vrtest check`` against the embedded lab: healthy, then each fault (needs vrtest.lab + root)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.lab_descriptor import write_lab_descriptor
from vrtest.cli import main
from vrtest.console import Console

pytest.importorskip("vrtest.lab", reason="the embedded lab is not in this build")
pytestmark = pytest.mark.lab

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


def test_an_electing_pair_is_re_polled_until_it_settles(cli: CliRunner, lab: Path) -> None:
    # r-6-VM loses keepalived (checkrouter.sh: FAULT); it is repaired 1.5 s into the check,
    # while redundant-state is re-polling the pair, which then elects again
    code, output = _lab(lab, "break", "r-6-VM", "keepalived-down")
    assert code == 0, output
    repair = threading.Timer(1.5, subprocess.run, args=([
        sys.executable, "-m", "vrtest", "lab", "--env", "cklab", "--envs-dir", str(lab),
        "repair", "r-6-VM"],), kwargs={"capture_output": True, "check": False})
    started = time.monotonic()
    repair.start()
    try:
        code, out = check(cli, lab, "redundant-state")
    finally:
        repair.join()
        _settle(lab)
    assert code == 0, out
    assert "pair was electing: checkrouter.sh said FAULT" in out
    assert ": settled, now " in out
    assert time.monotonic() - started < 15
