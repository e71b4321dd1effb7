"""The README's main job on the embedded lab: healthy -> exit 0; broken default route -> exit 1."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, CliRunner
from tests.run_support import make_checkout, standin_environ, write_selection
from vrtest.environment import load_environment
from vrtest.lab.config import LabConfig
from vrtest.lab.netns import stop
from vrtest.lab.paths import LabPaths
from vrtest.lab.probe import checkrouter
from vrtest.lab.processes import start_keepalived
from vrtest.lab.state import LabState, locked

pytestmark = pytest.mark.lab
MAIN_JOB = ("--files", "systemvm/debian/opt/cloud/bin/cs/CsRoute.py")


@pytest.fixture
def lab_env(tmp_path: Path, cli: CliRunner) -> Iterator[Path]:
    """A copy of environments/local.yaml with a prefix, networks and port unique to this PID."""
    if os.geteuid() != 0:
        pytest.skip("the lab needs root")
    pid = os.getpid()
    second = 180 + pid % 50
    third = (pid // 50) % 60 * 4
    data = yaml.safe_load((REPO_ROOT / "environments" / "local.yaml").read_text())
    data["name"] = "local-run"
    data["lab"].update(prefix=f"rn{pid % 100000}", state_dir=str(tmp_path / "state"),
                       management_cidr=f"10.{second}.{third}.0/24",
                       public_cidr=f"10.{second}.{third + 2}.0/24",
                       guest_cidr=f"172.{16 + pid % 16}.0.0/16", api_port=20000 + pid % 10000)
    data["management"]["api_url"] = f"http://127.0.0.1:{data['lab']['api_port']}/client/api"
    data["zones"][0]["pods"][0]["clusters"][0]["hosts"][0]["address"] = (
        f"10.{second}.{third}.2")
    data["vr_access"]["known_hosts"] = str(tmp_path / "known_hosts")
    path = tmp_path / "local-run.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        yield path
    finally:
        cli("lab", "--env", str(path), "down")


def _lab_is_up(cli: CliRunner, env: Path) -> bool:
    status = cli("lab", "--env", str(env), "status", "--format", "json")
    return bool(json.loads(status.out)["routers"])


def test_main_job_passes_on_a_healthy_lab_and_leaves_it_down(cli: CliRunner, lab_env: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("run", "--env", str(lab_env), *MAIN_JOB, "--output", str(out))
    assert result.code == 0, result.err
    summary = (out / "summary.md").read_text()
    assert summary.startswith("## vrtest: :white_check_mark: PASSED (")  # "(N not run)"
    assert "default-route\\[r-4-VM\\] · PASSED" in summary
    assert "not a CloudStack management server" in summary  # Marvin suites: NOT RUN, never passed
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    marvin = [r for r in records if r["kind"] == "marvin"]
    assert marvin and all(r["metadata"].get("not_run") == "true" for r in marvin)
    assert not _lab_is_up(cli, lab_env)  # it was down before the run


def test_broken_default_route_exits_1_and_shows_the_routing_table(cli: CliRunner, lab_env: Path,
                                                                  tmp_path: Path) -> None:
    assert cli("lab", "--env", str(lab_env), "up").code == 0
    broken = cli("lab", "--env", str(lab_env), "break", "r-4-VM", "default-route")
    assert broken.code == 0, broken.err
    out = tmp_path / "out"
    result = cli("run", "--env", str(lab_env), *MAIN_JOB, "--output", str(out))
    assert result.code == 1, result.err
    summary = (out / "summary.md").read_text()
    assert summary.startswith("## vrtest: :x: FAILED")
    failed = summary[summary.index("### Failed tests"):summary.index("### VR evidence")]
    assert "| default-route\\[r-4-VM\\] | FAILED |" in failed
    evidence = summary[summary.index("### VR evidence"):]
    first = evidence.split("**", 2)[1]
    assert first == "r-4-VM"  # the failing router's evidence comes first
    table = evidence[evidence.index("$ ip"):evidence.index("```", evidence.index("$ ip"))]
    assert "dev eth" in table and "default via" not in table.split("table Table_")[0]
    assert _lab_is_up(cli, lab_env)  # it was up before the run: left up


def _restart_keepalived(env: Path, pair: tuple[str, str]) -> LabPaths:
    """Stop and start keepalived in both routers of ``pair``: a pair that is electing again."""
    paths = LabPaths.of(LabConfig.from_environment(load_environment(str(env))))
    with locked(paths.lab_dir):
        state = LabState.load(paths.state_file)
        for name in pair:
            stop(state.processes()[f"{name}/keepalived"])
            state.forget_process(f"{name}/keepalived")
        for name in pair:
            start_keepalived(paths, state, name)
    return paths


def test_redundant_state_waits_for_a_pair_that_is_still_electing(cli: CliRunner, lab_env: Path,
                                                                 tmp_path: Path) -> None:
    assert cli("lab", "--env", str(lab_env), "up").code == 0
    pair = ("r-6-VM", "r-7-VM")
    paths = _restart_keepalived(lab_env, pair)
    assert "PRIMARY" not in [checkrouter(paths, name) for name in pair]  # nobody took over yet
    selection = write_selection(tmp_path, [], checks=["redundant-state"])
    out = tmp_path / "out"
    result = cli("run", "--env", str(lab_env), "--selection", str(selection), "--output", str(out))
    assert result.code == 0, result.err
    assert "[lab] r-6-VM and r-7-VM elected after" in result.err
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    outcomes = {t["name"]: t["outcome"] for t in records[0]["tests"]}
    assert outcomes["redundant-state[r-6-VM]"] == outcomes["redundant-state[r-7-VM]"] == "passed"
    assert sorted(checkrouter(paths, name) for name in pair) == ["BACKUP", "PRIMARY"]


def test_marvin_on_the_lab_runs_while_its_api_is_up(cli: CliRunner, lab_env: Path,
                                                    tmp_path: Path) -> None:
    """marvin.enabled on a down lab: the lab is up before the first suite, down again after."""
    data = yaml.safe_load(lab_env.read_text())
    data["marvin"].update(enabled=True, python=sys.executable, runner="nose",
                          cloudstack=str(make_checkout(tmp_path)), required_hardware=False)
    lab_env.write_text(yaml.safe_dump(data, sort_keys=False))
    selection = write_selection(tmp_path, ["smoke/test_lab_api.py"], checks=["default-route"])
    out = tmp_path / "out"
    result = cli("run", "--env", str(lab_env), "--selection", str(selection), "--output", str(out),
                 env=standin_environ(tmp_path))
    assert result.code == 0, result.err
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    marvin = [r for r in records if r["kind"] == "marvin"]
    assert [(t["name"], t["outcome"]) for t in marvin[0]["tests"]] == [
        ("test_01_api_answers", "passed")]
    assert result.err.index("[lab]") < result.err.index("[marvin] smoke/test_lab_api.py")
    assert not _lab_is_up(cli, lab_env)  # it was down before the run
