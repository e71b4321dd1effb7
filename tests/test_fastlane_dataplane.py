"""Data-plane probes in real namespaces: through the test tree's router, good and broken."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.fastlane_helpers import SCENARIOS, TREE, break_default_route, copy_tree, leftovers
from vrtest.fastlane.probes import make_endpoints
from vrtest.fastlane.runner import Workspace, run_scenario, to_suite_result
from vrtest.fastlane.sandbox import SandboxGroup
from vrtest.fastlane.scenario import load_scenario
from vrtest.lab.netns import netns_exists
from vrtest.results import Outcome, TestResult

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root for namespaces")]
MINI = SCENARIOS / "mini-vpc"
OUT = "data-plane[guest-web-1 -> 203.0.113.1]"
IN = "data-plane[outsider -> 10.1.1.10]"


def _probes(tree: Path, ws: Workspace) -> dict[str, TestResult]:
    run = run_scenario(load_scenario(MINI), tree, ws)
    assert run.error == ""
    return {t.name: t for t in to_suite_result(run).tests if t.name.startswith("data-plane")}


def test_good_tree_forwards_and_source_nats_and_keeps_guests_closed(workspace: Workspace) -> None:
    started = time.monotonic()
    panic = Path("/proc/sys/kernel/panic").read_text()
    probes = _probes(TREE, workspace)
    # the tree's sysctl.conf sets ip_forward (the probe needs it) and kernel.panic = 10,
    # which is the host's and must be left alone
    assert Path("/proc/sys/kernel/panic").read_text() == panic
    assert {n: t.outcome for n, t in probes.items()} == {OUT: Outcome.PASSED, IN: Outcome.PASSED}
    assert probes[OUT].evidence[0].output.startswith("reply from 203.0.113.1 in ")
    assert "ip netns exec" in probes[OUT].evidence[0].command
    assert dict(probes[OUT].properties)["check"] == "data-plane"
    assert "no reply from 10.1.1.10 within 0.1 s" in probes[IN].evidence[0].output
    assert len(probes[OUT].evidence) == 1  # router evidence only when a probe fails
    assert time.monotonic() - started < 30


def test_broken_default_route_fails_the_probe_with_the_routers_view(
        workspace: Workspace, tmp_path: Path) -> None:
    broken = copy_tree(tmp_path / "checkout")
    break_default_route(broken)
    probes = _probes(broken, workspace)
    failed = probes[OUT]
    assert failed.outcome is Outcome.FAILED and probes[IN].outcome is Outcome.PASSED
    assert failed.message == ("guest-web-1 -> 203.0.113.1: expected reachable (default route + "
                              "source NAT), got: destination unreachable (net unreachable) "
                              "from 10.1.1.1")
    outputs = {e.command: e.output for e in failed.evidence if e.target == "r-7-VM"}
    assert "Network is unreachable" in outputs["ip route get 203.0.113.1 from 10.1.1.10 iif eth2"]
    assert "to:172.16.0.10" in outputs["iptables -t nat -vnL POSTROUTING"]
    assert failed.duration < 1.5  # an ICMP error ends the probe before its timeout


def test_without_source_nat_the_reply_never_comes_back(workspace: Workspace,
                                                       tmp_path: Path) -> None:
    """The internet endpoint has no route to the guests: only a NATed echo is answered."""
    tree = copy_tree(tmp_path / "checkout")
    script = tree / "opt/cloud/bin/update_config.py"
    snat = ('            sh("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", dev, '
            '"-j", "SNAT",\n               "--to-source", ip["public_ip"])\n')
    assert snat in script.read_text()
    script.write_text(script.read_text().replace(snat, ""))
    failed = _probes(tree, workspace)[OUT]
    assert failed.outcome is Outcome.FAILED
    assert "got: no reply from 203.0.113.1 within 1 s" in failed.message
    assert 0.9 < failed.duration < 2.5  # the reachable probe's 1 s timeout, no more


def test_endpoints_are_recorded_before_they_are_made_and_removed_with_the_group(
        pkg_root: Path, tmp_path: Path) -> None:
    prefix = f"vfq{os.getpid() % 100000}{time.monotonic_ns() % 1000}"
    scenario = load_scenario(MINI)
    with SandboxGroup(prefix, tmp_path / "run", TREE, pkg_root) as group:
        made = make_endpoints(group, scenario.endpoints)
        recorded = json.loads((tmp_path / "run" / "state.json").read_text())["netns"]
        assert set(made.values()) <= set(recorded)
        assert all(netns_exists(name) for name in made.values())
    assert not any(netns_exists(name) for name in made.values())
    assert leftovers(prefix, tmp_path / "run") == []
