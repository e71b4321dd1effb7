"""Opt-in: ``vrtest run`` with the REAL Marvin (Apache CloudStack's tools/marvin + pynose).

Needs ``VRTEST_MARVIN_PYTHON`` (a python with Marvin, pynose and pytest installed) and
``VRTEST_CLOUDSTACK`` (a checkout-shaped tree with ``test/integration``): ``ci/real-marvin.sh
GIT_DIR`` builds both from a CloudStack repository (docs/run.md, "Real Marvin"). Marvin talks
to the embedded lab's signed API.

- Upstream suites selected for CsRoute.py fail in ``setUpClass`` (the lab answers list calls
  only): each is reported as ERROR with real Marvin's own message, never as passed, "no tests"
  or a crash, and the run exits 1.
- A small upstream-style suite of our own (``cloudstackTestCase``, ``@attr``, Marvin's apiclient
  and ``marvin.lib.common``) passes: the rendered config and the API keys work end to end, the
  ``-a`` filter drops a basic-zone test, and a run narrowed to one method still gets Marvin's
  clients.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lab_descriptor import write_lab_descriptor

MARVIN_PYTHON = os.environ.get("VRTEST_MARVIN_PYTHON", "")
CHECKOUT = os.environ.get("VRTEST_CLOUDSTACK", "")
pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not (MARVIN_PYTHON and CHECKOUT),
                       reason="set VRTEST_MARVIN_PYTHON (a python with Marvin, pynose and "
                              "pytest) and VRTEST_CLOUDSTACK (a tree with test/integration); "
                              "ci/real-marvin.sh GIT_DIR makes both"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the lab needs root"),
]
RUNNERS = ["nose", "pytest"]
MAIN_JOB = ("--files", "systemvm/debian/opt/cloud/bin/cs/CsRoute.py")
REAL_MARVIN_ERROR = "does not exist or it is not available for user"  # the API's 432, via Marvin
OWN_SUITE = '''\
from marvin.cloudstackTestCase import cloudstackTestCase
from marvin.codes import PASS
from marvin.lib.common import get_zone, list_hosts, list_routers
from marvin.lib.utils import validateList
from nose.plugins.attrib import attr


class TestLabApi(cloudstackTestCase):
    """Marvin's own apiclient against vrtest's lab API."""

    @classmethod
    def setUpClass(cls):
        cls.testClient = super(TestLabApi, cls).getClsTestClient()
        cls.apiclient = cls.testClient.getApiClient()
        cls.zone = get_zone(cls.apiclient, cls.testClient.getZoneForTests())

    @attr(tags=["advanced"], required_hardware="true")
    def test_01_zone_from_config(self):
        self.assertEqual(self.zone.name, self.testClient.getZoneForTests())

    @attr(tags=["advanced"], required_hardware="true")
    def test_02_routers_and_their_host(self):
        routers = list_routers(self.apiclient, zoneid=self.zone.id, listall=True)
        self.assertEqual(validateList(routers)[0], PASS)
        router = [r for r in routers if r.name == "r-4-VM"][0]
        self.assertTrue(router.linklocalip.startswith("169.254."))
        hosts = list_hosts(self.apiclient, id=router.hostid)
        self.assertEqual(validateList(hosts)[0], PASS)
        self.assertEqual(hosts[0].id, router.hostid)

    @attr(tags=["basic"], required_hardware="true")
    def test_03_basic_zone_only(self):
        self.fail("-a tags=advanced must not select a basic-zone test")
'''


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A lab of our own (PID-derived prefix, networks, port), up for the module, then down."""
    directory = tmp_path_factory.mktemp("marvin-real")
    for runner in RUNNERS:
        path = write_lab_descriptor(directory, f"marvin-real-{runner}")
        data = yaml.safe_load(path.read_text())
        data["marvin"].update(enabled=True, runner=runner, python=MARVIN_PYTHON,
                              cloudstack=CHECKOUT)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    first = str(directory / f"marvin-real-{RUNNERS[0]}.yaml")
    up = _vrtest("lab", "--env", first, "up")
    assert up.returncode == 0, up.stderr
    try:
        yield directory
    finally:
        _vrtest("lab", "--env", first, "down")


def _vrtest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vrtest", *args], capture_output=True,
                          text=True, timeout=600, check=False)


def _results(out: Path) -> list[dict[str, Any]]:
    lines = (out / "results.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == "marvin"]


@pytest.mark.parametrize("runner", RUNNERS)
def test_upstream_suites_error_in_setup_with_real_marvins_message(lab_dir: Path,
                                                                  runner: str) -> None:
    out = lab_dir / f"upstream-{runner}"
    run = _vrtest("run", "--env", str(lab_dir / f"marvin-real-{runner}.yaml"), *MAIN_JOB,
                  "--output", str(out))
    assert run.returncode == 1, run.stderr
    suites = _results(out)
    assert len(suites) >= 10  # CsRoute.py selects the routing suites (14 at 4.22)
    for suite in suites:
        assert not suite.get("error"), (suite["name"], suite.get("error"))  # parsed, not crashed
        assert suite["tests"], suite["name"]  # never "no tests"
        outcomes = {t["outcome"] for t in suite["tests"]}
        assert "passed" not in outcomes and outcomes & {"error", "failed"}, suite["name"]
        assert any(REAL_MARVIN_ERROR in t["message"] for t in suite["tests"]), suite["name"]
    errors = sum(t["outcome"] == "error" for s in suites for t in s["tests"])
    junit = ET.parse(out / "junit.xml").getroot()
    marvin_cases = [c for c in junit.iter("testcase") if c.find("error") is not None]
    assert errors and len(marvin_cases) == errors
    assert (out / "summary.md").read_text().startswith("## vrtest: :x: FAILED")
    if runner == "nose":  # a class's setUpClass error is one ContextSuite row naming the class
        assert any(t["name"] == "setup (ContextSuite)" and t["classname"] == "TestRouterServices"
                   for s in suites for t in s["tests"])


def _own_checkout(lab_dir: Path) -> Path:
    tree = lab_dir / "own-checkout"
    smoke = tree / "test" / "integration" / "smoke"
    smoke.mkdir(parents=True, exist_ok=True)
    for package in (smoke.parent, smoke):
        (package / "__init__.py").write_text("")
    (smoke / "test_vrtest_lab_api.py").write_text(OWN_SUITE)
    return tree


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("narrowed", [False, True])
def test_own_upstream_style_suite_passes_through_vrtest(lab_dir: Path, runner: str,
                                                        narrowed: bool) -> None:
    tree = _own_checkout(lab_dir)
    tests = ["test_02_routers_and_their_host"] if narrowed else []
    selection = lab_dir / f"own-{runner}-{narrowed}.json"
    selection.write_text(json.dumps({"suites": [
        {"path": "smoke/test_vrtest_lab_api.py", "tests": tests, "reasons": ["own"]}]}))
    out = lab_dir / f"own-{runner}-{narrowed}"
    env = str(lab_dir / f"marvin-real-{runner}.yaml")
    run = _vrtest("run", "--env", env, "--selection", str(selection), "--cloudstack", str(tree),
                  "--output", str(out))
    assert run.returncode == 0, run.stderr + (out / "summary.md").read_text()
    outcomes = {t["name"]: t["outcome"] for t in _results(out)[0]["tests"]}
    expected = {"test_02_routers_and_their_host": "passed"}
    if not narrowed:
        expected["test_01_zone_from_config"] = "passed"
    assert outcomes == expected  # test_03 (tags=basic) dropped by the -a filter
    rendered = _vrtest("env", "marvin-config", env)
    assert rendered.returncode == 0 and rendered.stdout == (out / "marvin.cfg").read_text()
    logs = [p for p in (out / "marvin-logs").rglob("*") if p.is_file()]
    assert logs and not any("vrtest-local-api-key" in p.read_text() for p in logs)


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_selected_test_real_marvin_did_not_run_is_an_error(lab_dir: Path, runner: str) -> None:
    tree = _own_checkout(lab_dir)
    selection = lab_dir / f"renamed-{runner}.json"
    selection.write_text(json.dumps({"suites": [
        {"path": "smoke/test_vrtest_lab_api.py", "reasons": ["own"],
         "tests": ["test_02_routers_and_their_host", "TestLabApi.test_99_renamed"]}]}))
    out = lab_dir / f"renamed-{runner}"
    run = _vrtest("run", "--env", str(lab_dir / f"marvin-real-{runner}.yaml"), "--selection",
                  str(selection), "--cloudstack", str(tree), "--output", str(out))
    assert run.returncode == 1, run.stderr
    outcomes = {t["name"]: t["outcome"] for t in _results(out)[0]["tests"]}
    assert outcomes == {"test_02_routers_and_their_host": "passed", "test_99_renamed": "error"}
