"""Opt-in: the shipped scenarios against a real CloudStack checkout (``VRTEST_CLOUDSTACK``).

At the checkout's HEAD every scenario must pass, data-plane probes included; with the VPC
default-route block removed from CsAddress.py (the 2015 regression class), every
non-redundant VPC scenario must fail its default-route check with the route table as
evidence, its probes to the internet must fail too, and nothing else may fail.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.fastlane_helpers import leftovers
from vrtest.console import Console
from vrtest.fastlane.lane import LaneRequest, run_fastlane
from vrtest.fastlane.packages import package_root
from vrtest.fastlane.runner import Workspace
from vrtest.fastlane.scenario import list_scenarios
from vrtest.fastlane.tree import vr_tree
from vrtest.results import Outcome, SuiteResult, TestResult

CHECKOUT = os.environ.get("VRTEST_CLOUDSTACK", "")
pytestmark = [
    pytest.mark.lab, pytest.mark.slow,
    pytest.mark.skipif(not CHECKOUT, reason="set VRTEST_CLOUDSTACK to a CloudStack checkout"),
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root for namespaces"),
]
INTERNET = "203.0.113.1"  # the address beyond the public gateway in the shipped scenarios
# "Please do not remove this block otherwise the VPC default route will be broken."
VPC_BLOCK = re.compile(r"( +)if not self\.config\.has_public_network\(\):\n(?:\1 .*\n|\n)*?"
                       r"\1elif self\.get_type\(\) in \[\"public\"\].*\n(?:\1 .*\n)*")


def _run(tree: Path, tmp_path: Path) -> list[SuiteResult]:
    prefix = f"vfc{os.getpid() % 100000}{time.monotonic_ns() % 1000}"
    pkg = package_root()
    ws = Workspace(pkg, tmp_path / "run" / prefix, prefix, cache_dir=pkg.parent)
    request = LaneRequest(tuple(list_scenarios()), tree, jobs=3)
    results = run_fastlane(request, ws, Console(io.StringIO(), io.StringIO(), environ={}))
    assert leftovers(prefix, ws.run_dir) == []
    return results


def _failures(result: SuiteResult) -> list[str]:
    return [t.name for t in result.tests if t.outcome.is_failure] + (
        [f"error: {result.error}"] if result.error else [])


def _to_internet(test: TestResult) -> bool:
    return test.name.startswith("data-plane[") and test.name.endswith(f"-> {INTERNET}]")


def test_every_scenario_passes_at_head(tmp_path: Path) -> None:
    results = _run(vr_tree(Path(CHECKOUT)), tmp_path)
    assert {r.name: _failures(r) for r in results} == {r.name: [] for r in results}
    probed = {r.name for r in results if any(_to_internet(t) for t in r.tests)}
    assert {"fastlane/isolated", "fastlane/vpc-2tier", "fastlane/redundant-vpc"} <= probed
    vpn = {r.name: [t.outcome for t in r.tests if t.name.startswith("vpn[")] for r in results}
    assert vpn["fastlane/vpc-s2s-vpn"] == [Outcome.PASSED]  # the tunnel is up
    assert vpn["fastlane/vpc-ra-vpn"] == [Outcome.PASSED]


def test_removing_the_vpc_default_route_block_fails_the_vpc_scenarios(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(vr_tree(Path(CHECKOUT)), tree, symlinks=True)
    script = tree / "opt/cloud/bin/cs/CsAddress.py"
    text, count = VPC_BLOCK.subn(lambda m: f"{m.group(1)}pass\n", script.read_text())
    assert count == 1, "the VPC default-route block was not found in CsAddress.py"
    script.write_text(text)
    results = {r.name: r for r in _run(tree, tmp_path)}
    vpc = {n for n, r in results.items()
           if r.metadata["routers"].count(",") == 0 and "vpc" in n}
    assert vpc, "no non-redundant VPC scenario"
    for name, result in results.items():
        expected = [t.name for t in result.tests
                    if t.name.startswith("default-route[") or _to_internet(t)]
        assert _failures(result) == (expected if name in vpc else []), name
    evidence = next(t for t in results["fastlane/vpc-2tier"].tests
                    if t.name.startswith("default-route[")).evidence
    assert any("default via 172.16.0.1 dev eth1 table Table_eth1" in e.output for e in evidence)
    probe = next(t for t in results["fastlane/vpc-2tier"].tests if _to_internet(t))
    assert probe.outcome is Outcome.FAILED and "expected reachable" in probe.message
    assert any(e.command.startswith(f"ip route get {INTERNET} ") for e in probe.evidence)
    assert all(t.outcome is not Outcome.ERROR for r in results.values() for t in r.tests)
