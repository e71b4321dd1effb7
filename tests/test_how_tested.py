"""run.json's ``how`` block and the "How this was tested" lines, from the shipped descriptors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.test_access_settings import SECRETS
from vrtest.environment import load_environment
from vrtest.reports import write_reports
from vrtest.reports.how import how_lines
from vrtest.results import Outcome, SuiteResult, TestResult
from vrtest.runner.options import RunOptions
from vrtest.runner.provenance import how_tested
from vrtest.runner.store import RunStore

ENVS = REPO_ROOT / "environments"


@pytest.fixture(autouse=True)
def secret_values(monkeypatch: pytest.MonkeyPatch, secrets: object) -> None:
    for name in SECRETS:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")


def _how(env_name: str, **options: object) -> dict[str, object]:
    env = load_environment(env_name, envs_dir=ENVS)
    return how_tested(env, RunOptions(env=env_name, output=Path("out"), **options))  # type: ignore[arg-type]


def test_a_kvm_lab_says_nose_filter_zone_and_the_host_hop() -> None:
    how = _how("lab-kvm", pr=887)
    lines = how_lines({"how": how})
    assert lines[0] == "Changes: PR #887"
    assert lines[1].startswith("Marvin: nose with -a tags=advanced, zone kvm-zone1")
    assert "link-local address port 3922 with the host's /root/.ssh/id_rsa.cloud" in lines[2]
    assert "value-of" not in json.dumps(how)  # no secret in the provenance


def test_vmware_goes_through_the_management_server_with_its_key() -> None:
    route = how_lines({"how": _how("lab-vmware", files=("a",))})[2]
    assert "SSH to the management server 10.30.0.10" in route
    assert "/var/cloudstack/management/.ssh/id_rsa" in route


def test_the_simulator_runs_marvin_but_checks_no_routers() -> None:
    lines = how_lines({"how": _how("simulator", all_suites=True)})
    assert lines[0] == "Changes: --all"
    assert "required_hardware=false" in lines[1]
    assert lines[2] == "VR checks: none (this environment has no real virtual routers)"


def test_the_local_lab_runs_no_marvin_and_reaches_routers_like_kvm() -> None:
    lines = how_lines({"how": _how("local", files=("x", "y"))})
    assert lines[:2] == ["Changes: 2 file(s)",
                         "Marvin: not run here (marvin.enabled is false for local)"]
    assert "hypervisor host" in lines[2]


def test_summary_and_html_carry_the_how_escaped(tmp_path: Path) -> None:
    how = _how("lab-kvm", diff="main...<b>x</b>|y")
    store = RunStore(tmp_path)
    store.prepare()
    store.write_json("run.json", {"env": "lab-kvm", "hypervisor": "kvm", "how": how})
    store.append(SuiteResult(name="smoke/a.py", kind="marvin", tests=(
        TestResult(name="t", classname="C", outcome=Outcome.PASSED),)))
    write_reports(tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert "### How this was tested" in summary
    assert "- Changes: diff main...&lt;b&gt;x&lt;/b&gt;\\|y" in summary  # no live HTML or table
    page = (tmp_path / "report.html").read_text()
    assert "<li>Changes: diff main...&lt;b&gt;x&lt;/b&gt;|y</li>" in page
    tests_heading = page.index('<h2 id="tests-heading">Tests</h2>')
    assert page.index('<ul id="how">') < tests_heading  # read before the rows


def test_runs_from_before_the_how_block_render_without_it() -> None:
    assert how_lines({"env": "lab-kvm"}) == []


def test_a_lab_with_marvin_enabled_says_how_marvin_ran(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((ENVS / "local.yaml").read_text())
    data["marvin"]["enabled"] = True
    descriptor = tmp_path / "lab-marvin.yaml"
    descriptor.write_text(yaml.safe_dump(data))
    env = load_environment(str(descriptor))
    lines = how_lines({"how": how_tested(env, RunOptions(env=str(descriptor),
                                                         output=tmp_path / "o"))})
    assert lines[1].startswith("Marvin: nose with -a tags=advanced, zone local-zone")
    assert "management server 127.0.0.1" in lines[1]


def test_the_fast_lane_says_why_marvin_did_not_run() -> None:
    lines = how_lines({"how": _how("fastlane", files=("a",))})
    assert lines[1] == "Marvin: not run here (the fast lane runs the PR's scripts, not a zone)"
    assert lines[2].startswith("VR checks: the PR's systemvm scripts applied to namespace routers")
