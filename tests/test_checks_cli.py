"""``vrtest check`` end to end: a signature-checking API on loopback, real sshd hop and routers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests import sshlab
from tests.conftest import REPO_ROOT, CliRunner
from tests.fake_cloudstack import FakeApi, one_host_zone, serve

CHECKS = ("--check", "default-route", "--check", "iptables-policy", "--check", "services")


@dataclass
class Zone:
    """The topology, the API describing it and a descriptor pointing at both."""

    lab: sshlab.SshLab
    api: FakeApi
    envs_dir: Path


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zone]:
    reason = sshlab.available()
    if reason:
        pytest.skip(reason)
    lab = sshlab.start(routers=3)
    try:
        sshlab.make_vpc_router(lab, "r-1-VM")
        sshlab.make_vpc_router(lab, "r-2-VM", default_route=False)  # the 2015 regression
        lab.stop_sshd("r-3-VM")
        api = one_host_zone("zone-key", "zone-secret-value", lab.routers, lab.hop_ip)
        with serve(api):
            envs_dir = tmp_path_factory.mktemp("envs")
            write_descriptor(envs_dir, lab, api)
            yield Zone(lab, api, envs_dir)
    finally:
        lab.close()


def write_descriptor(envs_dir: Path, lab: sshlab.SshLab, api: FakeApi) -> None:
    data = yaml.safe_load((REPO_ROOT / "environments" / "local.yaml").read_text())
    data.pop("lab", None)
    data["kind"] = "cloudstack"
    data["name"] = "sshlab"
    data["management"] = {"api_url": api.url, "api_key": api.api_key,
                          "secret_key": "${VRTEST_TEST_SECRET}"}
    cluster = data["zones"][0]["pods"][0]["clusters"][0]
    cluster["hosts"] = [{"address": lab.hop_ip, "username": "root",
                         "key_file": lab.hop_login_key}]
    data["vr_access"].update(key_on_hop=lab.vr_key_on_hop, connect_timeout=3,
                             command_timeout=10, known_hosts=str(envs_dir / "known_hosts"))
    (envs_dir / "sshlab.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def check(cli: CliRunner, zone: Zone, *args: str) -> tuple[int, str, str]:
    result = cli("check", "--env", "sshlab", "--envs-dir", str(zone.envs_dir), *CHECKS, *args,
                 env={"VRTEST_TEST_SECRET": zone.api.secret_key})
    return result.code, result.out, result.err





def test_healthy_router_passes_exit_0(cli: CliRunner, zone: Zone) -> None:
    code, out, err = check(cli, zone, "--router", "r-1-VM")
    assert code == 0, out + err
    assert "r-1-VM  default-route    PASSED  default via 172.16.0.1 dev eth1" in out
    assert "3 checks on 1 router(s): 3 passed" in out


def test_regression_fails_naming_the_router_with_evidence_exit_1(
        cli: CliRunner, zone: Zone) -> None:
    code, out, _ = check(cli, zone)
    assert code == 1
    assert "FAILED default-route[r-2-VM]: r-2-VM: table main: no default via 172.16.0.1" in out
    assert "$ ip -j route show table all 2>/dev/null || ip route show table all" in out
    assert "throw 172.16.0.0/24 table Table_eth1" in out  # the evidence: what the router has
    assert "r-1-VM  default-route    PASSED" in out
    assert "r-2-VM  iptables-policy  PASSED" in out
    assert ("ERROR r-3-VM (default-route, iptables-policy, services): router r-3-VM "
            "(169.254.3.5:3922 via " in out)
    assert "zone-secret-value" not in out


def test_unreachable_router_alone_exit_3(cli: CliRunner, zone: Zone) -> None:
    code, out, _ = check(cli, zone, "--router", "r-1-VM", "--router", "r-3-VM")
    assert code == 3
    assert "r-1-VM  services         PASSED  running: sshd" in out


def test_json_and_junit_formats(cli: CliRunner, zone: Zone, tmp_path: Path) -> None:
    code, out, _ = check(cli, zone, "--router", "r-2-VM", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["kind"] == "checks"
    failed = [t for t in data["tests"] if t["outcome"] == "failed"]
    assert [t["name"] for t in failed] == ["default-route[r-2-VM]"]
    assert failed[0]["evidence"][0]["target"] == "r-2-VM"
    junit = tmp_path / "checks.xml"
    code, out, _ = check(cli, zone, "--router", "r-2-VM", "--format", "junit", "-o", str(junit))
    root = ET.parse(junit).getroot()
    failures = [case.get("name") for case in root.iter("testcase")
                if case.find("failure") is not None]
    assert code == 1 and failures == ["default-route[r-2-VM]"]
    assert "FAILED" in out  # the text summary still goes to the terminal


def test_unknown_router_is_a_usage_error(cli: CliRunner, zone: Zone) -> None:
    code, _, err = check(cli, zone, "--router", "r-99-VM")
    assert code == 2
    assert "router r-99-VM not found (routers: r-1-VM, r-2-VM, r-3-VM)" in err


def test_simulator_says_it_has_no_real_routers(cli: CliRunner) -> None:
    result = cli("check", "--env", "simulator", "--envs-dir", str(REPO_ROOT / "environments"))
    assert result.code == 0
    assert "no VR checks run: environment 'simulator' has no real virtual routers" in result.out


def test_pytest_suites_parametrise_over_routers(zone: Zone) -> None:
    import os
    import subprocess
    import sys

    argv = [sys.executable, "-m", "pytest", str(REPO_ROOT / "suites" / "vr"),
            "-p", "no:cacheprovider", "--vrtest-env", "sshlab",
            "--vrtest-envs-dir", str(zone.envs_dir), "-rA",
            "-k", "default_route or iptables or services"]
    env = {**os.environ, "VRTEST_TEST_SECRET": zone.api.secret_key}
    run = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO_ROOT,
                         timeout=120)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "PASSED suites/vr/test_vr_checks.py::test_default_route[r-1-VM]" in out
    assert "FAILED suites/vr/test_vr_checks.py::test_default_route[r-2-VM]" in out
    assert "ERROR suites/vr/test_vr_checks.py::test_default_route[r-3-VM]" in out
    assert "PASSED suites/vr/test_vr_checks.py::test_iptables_policy[r-2-VM]" in out
    # the failure points at the test line and shows the evidence, not library frames
    assert 'vr_check("default-route", vr_router)' in out
    assert "$ ip -j route show table all" in out
    assert "throw 172.16.0.0/24 table Table_eth1" in out
    after = out.split("_ test_default_route[r-2-VM] _", 1)[1].split("\n", 1)[1]
    failure = after.split("\n____", 1)[0].split("\n====", 1)[0]
    assert "pytest_plugin.py" not in failure and "pytest_support.py" not in failure
    assert "suites/vr/test_vr_checks.py:" in failure
    assert "zone-secret-value" not in out
