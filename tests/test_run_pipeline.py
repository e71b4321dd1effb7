"""``vrtest run`` end to end against the Marvin stand-in (real subprocesses, real files)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.conftest import CliRunner
from tests.run_support import (
    LAB,
    make_checkout,
    records,
    results,
    standin_environ,
    write_env,
    write_selection,
)
from vrtest.runner.deploy import log_name


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """A temp dir holding a stand-in CloudStack checkout."""
    make_checkout(tmp_path)
    return tmp_path


def _run(cli: CliRunner, root: Path, suites: list[str], *extra: str,
         marvin: dict[str, object] | None = None, env_extra: dict[str, object] | None = None):
    env = write_env(root, root / "cloudstack", marvin=marvin, **(env_extra or {}))
    selection = write_selection(root, suites)
    out = root / "out"
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output", str(out),
                 *extra, env=standin_environ(root))
    return result, out


def test_mixed_suite_exit_1_with_every_outcome_recorded(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_pass.py", "smoke/test_mixed.py",
                                  "smoke/test_setup_error.py"])
    assert result.code == 1, result.err
    lines = results(out)
    assert [r["name"] for r in lines] == ["smoke/test_pass.py", "smoke/test_mixed.py",
                                          "smoke/test_setup_error.py"]
    outcomes = {t["name"]: t["outcome"] for r in lines for t in r["tests"]}
    assert outcomes == {
        "test_01_router_basic": "passed", "test_02_router_zone": "passed",
        "test_01_passes": "passed", "test_02_fails": "failed", "test_03_errors": "error",
        "test_04_skips": "skipped", "setup (ContextSuite)": "error",
    }  # test_03_needs_hardware was dropped by -a ...,required_hardware=false
    setup = lines[2]["tests"][0]
    assert setup["classname"] == "TestVPCSetup"
    assert "Failed to create VPC offering" in setup["message"]
    # Several classes' setUpClass can fail in one run: the summary says whose it was.
    assert "- **TestVPCSetup.setup (ContextSuite)**: Failed to create VPC offering" in (
        out / "summary.md").read_text()
    for stage in ("[select]", "[plan]", "[marvin-config]", "[marvin]", "[reports]", "[exit] 1"):
        assert stage in result.err
    how = json.loads((out / "run.json").read_text())["how"]
    assert how["changes"].startswith("saved selection")
    assert (how["marvin"]["runner"], how["marvin"]["filter"]) == (
        "nose", "tags=advanced,required_hardware=false")
    assert "- Marvin: nose with -a tags=advanced,required\\_hardware=false, zone zim1" in (
        out / "summary.md").read_text()


def test_exact_nose_command_line_and_environment(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_pass.py"])
    assert result.code == 0, result.err
    invocation = records(lab)[0]
    expected = [
        "--with-xunit", f"--xunit-file={out.resolve()}/marvin/smoke__test_pass.xml",
        "--with-marvin", f"--marvin-config={out.resolve()}/marvin.cfg",
        f"--log-folder-path={out.resolve()}/marvin-logs",
        "test/integration/smoke/test_pass.py", "-s", "-a", "tags=advanced,required_hardware=false",
        "--zone=zim1", "--hypervisor=kvm",
    ]
    assert invocation["argv"] == expected
    assert invocation["cwd"] == str((lab / "cloudstack").resolve())
    assert invocation["env"] == {"PYTHONUNBUFFERED": "1", "VRTEST_RUN_DIR": str(out.resolve()),
                                 "VRTEST_SUITE": "smoke/test_pass.py"}
    command = results(out)[0]["command"]
    assert command[:3] == [sys.executable, "-m", "nose"] and command[3:] == expected
    assert records(lab)[1]["marvin_init"]["zone"] == "zim1"


def test_nosetests_script_when_no_python_configured(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_pass.py"], marvin={"python": ""})
    assert result.code == 0, result.err
    assert results(out)[0]["command"][0] == "nosetests"


def test_marvin_config_is_private_and_secrets_stay_out_of_reports(cli: CliRunner,
                                                                  lab: Path) -> None:
    env = write_env(lab, lab / "cloudstack")
    descriptor = yaml.safe_load(env.read_text())
    descriptor["management"]["secret_key"] = "${STANDIN_SECRET}"
    descriptor["management"]["api_key"] = "${STANDIN_API_KEY}"
    env.write_text(yaml.safe_dump(descriptor))
    selection = write_selection(lab, ["smoke/test_crash.py"])  # its log tail is reported
    out = lab / "out"
    environ = {**standin_environ(lab), "STANDIN_SECRET": "standin-secret-key-123",
               "STANDIN_API_KEY": "standin-api-key-456", "STANDIN_ECHO_CONFIG": "1"}
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output", str(out),
                 env=environ)
    assert result.code == 1, result.err
    config = out / "marvin.cfg"
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    assert "standin-secret-key-123" in config.read_text()
    log = out / "marvin" / "smoke__test_crash.log"
    assert "Marvin config:" in log.read_text() and "****" in log.read_text()
    # Real Marvin logs every API payload with its apiKey into its log folder (the run's).
    marvin_logs = sorted((out / "marvin-logs").rglob("runinfo.txt"))
    assert marvin_logs and "'apiKey': '****'" in marvin_logs[0].read_text()
    for path in [log, *marvin_logs, *(out / n for n in ("junit.xml", "summary.md", "report.html",
                                                        "results.jsonl", "run.json"))]:
        assert "standin-secret-key-123" not in path.read_text(), path.name
        assert "standin-api-key-456" not in path.read_text(), path.name
    assert "****" in results(out)[0]["log_tail"]  # the reported log tail, masked


def test_timeout_kills_the_process_group_and_keeps_the_log_tail(cli: CliRunner,
                                                                lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_hang.py", "smoke/test_pass.py"],
                       "--suite-timeout", "2")
    assert result.code == 1, result.err
    hang, passed = results(out)
    assert hang["error"].startswith("timed out after 2s")
    assert "waiting for the router to answer" in hang["log_tail"]
    assert passed["tests"][0]["outcome"] == "passed"  # the run went on
    grandchild = int((lab / "state" / "hang-grandchild.pid").read_text())
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_crash_is_an_error_with_the_log_tail(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_crash.py"])
    assert result.code == 1
    crash = results(out)[0]
    assert "exited with code -9" in crash["error"]
    assert "Segmentation fault" in crash["log_tail"]
    summary = (out / "summary.md").read_text()
    assert "smoke/test\\_crash.py" in summary and "ERROR" in summary


def test_flaky_rerun_narrowed_and_reported_as_flaky(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_flaky.py"], "--rerun-failures", "2")
    assert result.code == 1  # test_02 fails every time
    tests = {t["name"]: t for t in results(out)[0]["tests"]}
    assert tests["test_01_flaky"]["outcome"] == "flaky"
    assert "VRRP election took too long" in tests["test_01_flaky"]["reruns"][0]
    assert tests["test_02_always_fails"]["outcome"] == "failed"
    assert len(tests["test_02_always_fails"]["reruns"]) == 2
    assert tests["test_03_passes"]["outcome"] == "passed"
    reruns = [r["argv"] for r in records(lab) if "argv" in r][1:]
    # Narrowed to classes plus nose's -m (a file:Class.method target gets no Marvin clients).
    assert reruns[0][5:8] == ["test/integration/smoke/test_flaky.py:TestFlaky", "-m",
                              r"^(?:test_01_flaky|test_02_always_fails)(?:_\d+(?:_.*)?)?$"]
    assert reruns[1][5:8] == ["test/integration/smoke/test_flaky.py:TestFlaky", "-m",
                              r"^(?:test_02_always_fails)(?:_\d+(?:_.*)?)?$"]
    root = ET.parse(out / "junit.xml").getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    flaky = cases["test_01_flaky"]
    assert flaky.find("failure") is None and flaky.find("flakyFailure") is not None
    failed = cases["test_02_always_fails"]
    assert failed.find("failure") is not None and len(failed.findall("rerunFailure")) == 2
    summary = (out / "summary.md").read_text()
    assert "| 1 | 1 | 0 | 0 | 1 | 0 |" in summary  # passed failed error skipped flaky not-run


@pytest.mark.parametrize("runner", ["nose", "pytest"])
def test_narrowed_suite_still_gets_marvins_clients(cli: CliRunner, lab: Path, runner: str) -> None:
    """Real nose skips Marvin's client injection for file:Class.method; vrtest never uses it."""
    env = write_env(lab, lab / "cloudstack", marvin={"runner": runner})
    selection = lab / "narrowed.json"
    selection.write_text(json.dumps({"suites": [
        {"path": "smoke/test_pass.py", "tests": ["test_01_router_basic"], "reasons": ["r"]}]}))
    out = lab / "out"
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output", str(out),
                 env=standin_environ(lab))
    assert result.code == 0, result.output
    tests = results(out)[0]["tests"]
    assert [(t["name"], t["outcome"]) for t in tests] == [("test_01_router_basic", "passed")]


@pytest.mark.parametrize("runner", ["nose", "pytest"])
def test_a_selected_test_that_did_not_run_is_an_error(cli: CliRunner, lab: Path,
                                                      runner: str) -> None:
    """Narrowing is by class + method pattern: a renamed test must not just vanish."""
    env = write_env(lab, lab / "cloudstack", marvin={"runner": runner})
    selection = lab / "renamed.json"
    selection.write_text(json.dumps({"suites": [
        {"path": "smoke/test_pass.py", "reasons": ["r"],
         "tests": ["test_01_router_basic", "TestRouterBasics.test_99_renamed"]}]}))
    out = lab / "out"
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output", str(out),
                 env=standin_environ(lab))
    assert result.code == 1, result.err
    tests = {t["name"]: t for t in results(out)[0]["tests"]}
    assert tests["test_01_router_basic"]["outcome"] == "passed"
    missing = tests["test_99_renamed"]
    assert missing["outcome"] == "error" and missing["classname"] == "TestRouterBasics"
    assert "ran no test TestRouterBasics.test_99_renamed" in missing["message"]


@pytest.mark.parametrize("runner", ["nose", "pytest"])
def test_python_without_marvin_is_one_config_error_before_deploy(cli: CliRunner, lab: Path,
                                                                  runner: str) -> None:
    """Not 'exited with code 1 and no readable test report' once per suite, after the deploy."""
    deployed = lab / "deployed"
    env = write_env(lab, lab / "cloudstack", marvin={"runner": runner},
                    deploy=[{"name": "d", "argv": ["touch", str(deployed)]}])
    selection = write_selection(lab, ["smoke/test_pass.py", "smoke/test_mixed.py"])
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output",
                 str(lab / "out"))  # no stand-in on PYTHONPATH: this python has no marvin
    assert result.code == 2, result.err
    assert f"marvin.python: {sys.executable} cannot run Marvin with {runner}: " \
           "ModuleNotFoundError: No module named 'marvin'" in result.err
    assert "Traceback" not in result.err and not deployed.exists()
    assert records(lab) == []


@pytest.mark.parametrize("runner", ["nose", "pytest"])
def test_marvin_init_failure_names_marvins_reason(cli: CliRunner, lab: Path, runner: str) -> None:
    """Marvin prints only 'Marvin Init Failed'; the reason is in its runinfo.txt."""
    env = write_env(lab, lab / "cloudstack", marvin={"runner": runner})
    selection = write_selection(lab, ["smoke/test_pass.py"])
    out = lab / "out"
    environ = {**standin_environ(lab), "STANDIN_INIT_ERROR": "OSError: [Errno 28] No space left"}
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output", str(out),
                 env=environ)
    assert result.code == 1, result.err
    error = results(out)[0]["error"]
    assert "OSError: [Errno 28] No space left" in error, error
    if runner == "nose":
        assert error.startswith("Marvin could not initialise: OSError") and "runinfo.txt" in error
    assert "no readable test report" not in error


def test_resume_skips_finished_suites(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_pass.py", "smoke/test_mixed.py"])
    assert result.code == 1
    lines = (out / "results.jsonl").read_text().splitlines()
    (out / "results.jsonl").write_text(lines[0] + "\n")  # as if stopped after the first suite
    (lab / "record.jsonl").unlink()
    env = lab / "lab-standin.yaml"
    again = cli("run", "--resume", str(out), "--env", str(env), env=standin_environ(lab))
    assert again.code == 1, again.err
    ran = [r["argv"][5] for r in records(lab) if "argv" in r]
    assert ran == ["test/integration/smoke/test_mixed.py"]
    assert [r["name"] for r in results(out)] == ["smoke/test_pass.py", "smoke/test_mixed.py"]
    assert "1 already finished" in again.err
    cases = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in cases] == ["smoke/test_pass.py", "smoke/test_mixed.py"]


def test_existing_run_is_never_overwritten(cli: CliRunner, lab: Path) -> None:
    _run(cli, lab, ["smoke/test_pass.py"])
    second, _ = _run(cli, lab, ["smoke/test_pass.py"])
    assert second.code == 2
    assert "already holds a run" in second.err and "--resume" in second.err


def test_dry_run_shows_commands_and_runs_nothing(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_pass.py"], "--dry-run")
    assert result.code == 0, result.err
    assert "test/integration/smoke/test_pass.py -s -a tags=advanced" in result.out
    assert records(lab) == [] and not out.exists()  # a dry run writes nothing at all


def test_missing_checkout_is_a_one_line_config_error(cli: CliRunner, lab: Path) -> None:
    result, _ = _run(cli, lab, ["smoke/test_pass.py"], "--cloudstack", str(lab / "nowhere"))
    assert result.code == 2
    assert "no CloudStack checkout" in result.err and "--cloudstack" in result.err
    assert "Traceback" not in result.err


def test_no_checkout_at_all_says_none_was_given(cli: CliRunner, lab: Path) -> None:
    env = write_env(lab, lab / "cloudstack")
    descriptor = yaml.safe_load(env.read_text())
    del descriptor["marvin"]["cloudstack"]
    env.write_text(yaml.safe_dump(descriptor))
    result = cli("run", "--selection", str(write_selection(lab, ["smoke/test_pass.py"])),
                 "--env", str(env), "--output", str(lab / "out"), env=standin_environ(lab))
    assert result.code == 2
    assert "no CloudStack checkout for the Marvin suites (none given)" in result.err
    assert "None" not in result.err and "--cloudstack" in result.err


def test_suite_missing_from_checkout_is_an_error_result(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_nonexistent.py", "../../../etc/passwd",
                                  "smoke/test_pass.py"])
    assert result.code == 1
    missing, outside, passed = results(out)
    assert "not found in the CloudStack checkout" in missing["error"]
    assert "must stay inside test/integration" in outside["error"]
    assert passed["tests"][0]["outcome"] == "passed"


def test_a_directory_is_never_a_nose_target(cli: CliRunner, lab: Path) -> None:
    """Real Marvin's nose plugin runs os.system("python " + filename) on each file it finds
    in a directory target (wantFile): vrtest names single files only, so no PR-controlled
    file name reaches that shell."""
    result, out = _run(cli, lab, ["smoke", "smoke/"])
    assert result.code == 1
    assert all("not found in the CloudStack checkout" in r["error"] for r in results(out))
    assert records(lab) == []  # nose never started


def test_bad_inputs_are_one_line_errors(cli: CliRunner, lab: Path) -> None:
    env = write_env(lab, lab / "cloudstack")
    bad = lab / "bad.json"
    bad.write_text("{not json")
    cases = [
        (["--selection", str(bad)], "not valid JSON"),
        (["--selection", str(lab / "missing.json")], "cannot read selection"),
        (["--all", "--shard", "5/4"], "K must be between 1 and N"),
        (["--all", "--jobs", "0"], "--jobs must be positive"),
        ([], "say what changed"),
        (["--diff", "main...HEAD", "--cloudstack", str(lab / "nowhere")], "needs the CloudStack"),
    ]
    for args, message in cases:
        result = cli("run", "--env", str(env), "--output", str(lab / "o"), *args)
        assert result.code == 2, (args, result.err)
        assert message in result.err and "Traceback" not in result.err
    nothing = cli("run", "--resume", str(lab / "nowhere"), "--env", str(env))
    assert nothing.code == 2 and "no vrtest run there" in nothing.err
    unknown = cli("run", "--all", "--env", "no-such-env", "--envs-dir", str(lab))
    assert unknown.code == 2 and "no-such-env" in unknown.err


@pytest.mark.parametrize(("record", "problem"), [
    ({"suites": "smoke/x.py"}, "'suites' is not a list"),
    ({"suites": [{"file": "smoke/x.py"}]}, "suites[0] has no 'path' string"),
    ({"suites": [{"path": "smoke/x.py", "tests": 5}]}, "suites[0].tests is not a list"),
    ({"suites": [], "checks": ["default-route"]}, "checks[0] has no 'name' string"),
])
def test_selection_of_the_wrong_shape_is_one_line(cli: CliRunner, lab: Path,
                                                  record: dict[str, object], problem: str) -> None:
    selection = lab / "odd-selection.json"
    selection.write_text(json.dumps(record))
    result = cli("run", "--env", str(write_env(lab, lab / "cloudstack")), "--selection",
                 str(selection), "--output", str(lab / "o"), "--dry-run")
    assert result.code == 2, result.err
    assert f"not a selection record ({problem})" in result.err
    assert "Traceback" not in result.err


def test_environment_without_management_server_reports_suites_not_run(cli: CliRunner,
                                                                      lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_pass.py"], marvin={"enabled": False},
                       env_extra={"lab": LAB, "kind": "lab"})
    assert result.code == 0, result.err
    record = results(out)[0]
    assert record["metadata"]["not_run"] == "true" and record["tests"] == []
    assert records(lab) == []  # nothing executed
    summary = (out / "summary.md").read_text()
    assert "NOTHING VERIFIED" in summary and "PASSED" not in summary
    reason = ("environment 'lab-standin' is the embedded lab, not a CloudStack management "
              "server (set marvin.enabled: true to run Marvin against its API anyway)")
    assert summary.splitlines()[0] == (
        f"## vrtest: :warning: NOTHING VERIFIED - 1 not run: {reason}")
    assert "| 0 | 0 | 0 | 0 | 0 | 1 |" in summary
    assert result.out.splitlines()[0] == f"NOTHING VERIFIED - 1 not run: {reason}"


def test_nothing_selected_exits_0_and_says_nothing_was_verified(cli: CliRunner,
                                                                lab: Path) -> None:
    env = write_env(lab, lab / "cloudstack")
    out = lab / "out"
    result = cli("run", "--files", "README.md", "--env", str(env), "--output", str(out),
                 "--cloudstack", str(lab / "nowhere"), env=standin_environ(lab))
    assert result.code == 0, result.err
    assert result.out.startswith("NOTHING VERIFIED - nothing was selected: 1 changed file(s), "
                                 "1 outside every VR area\n0 passed, 0 failed")
    assert records(lab) == [] and results(out) == []
    json_out = cli("run", "--files", "README.md", "--env", str(env), "--output",
                   str(lab / "json"), "--format", "json", env=standin_environ(lab))
    assert json.loads(json_out.out)["reason"].startswith("nothing was selected")


def test_deploy_steps_get_placeholders_and_a_failure_stops_the_run(cli: CliRunner,
                                                                   lab: Path) -> None:
    seen = lab / "deploy-args.json"
    write = f"import json,sys; json.dump(sys.argv[1:], open({str(seen)!r}, 'w'))"
    steps = [{"name": "build", "argv": [sys.executable, "-c", write, "{pr}", "{commit}",
                                        "{branch}"]},
             {"name": "install", "argv": [sys.executable, "-c", "import sys; sys.exit(4)"]}]
    result, out = _run(cli, lab, ["smoke/test_pass.py"], env_extra={"deploy": steps})
    assert result.code == 3, result.err
    assert json.loads(seen.read_text()) == ["887", "0123456789abcdef", "fix-routes"]
    assert "deploy step 'install' exited with code 4" in result.err
    kinds = [(r["kind"], r["name"]) for r in results(out)]
    assert kinds == [("deploy", "deploy/install")]  # no suite ran on a half-deployed zone
    assert (out / "summary.md").exists()
    assert sorted(p.name for p in (out / "deploy").iterdir()) == ["01-build.log", "02-install.log"]


def test_a_branch_that_would_be_an_option_never_reaches_a_deploy_step(cli: CliRunner,
                                                                       lab: Path) -> None:
    seen = lab / "deploy-args.json"
    write = f"import json,sys; json.dump(sys.argv[1:], open({str(seen)!r}, 'w'))"
    steps = [{"name": "check out", "argv": [sys.executable, "-c", write, "{branch}"]}]
    env = write_env(lab, lab / "cloudstack", deploy=steps)
    hostile = "--upload-pack=touch /tmp/pwned"
    source = {"kind": "pr", "pr": 887, "commit": "0123456789abcdef", "branch": hostile}
    selection = write_selection(lab, ["smoke/test_pass.py"], source=source)
    out = lab / "out"
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output", str(out),
                 env=standin_environ(lab))
    assert result.code == 3, result.err
    assert "refusing to pass branch" in result.err and "Traceback" not in result.err
    assert not seen.exists()  # the step never ran
    assert [(r["name"], r["error"][:23]) for r in results(out)] == [
        ("deploy/check out", "refusing to pass branch")]


def test_deploy_log_names_are_numbered_slugs_never_paths() -> None:
    assert log_name(1, "build packages") == "01-build-packages.log"
    assert log_name(12, "../../etc/cron.d/x") == "12-etc-cron.d-x.log"
    assert log_name(3, "...") == "03-step.log"


def test_parallel_safe_environment_runs_suites_concurrently(cli: CliRunner, lab: Path) -> None:
    result, out = _run(cli, lab, ["smoke/test_pass.py", "smoke/test_mixed.py",
                                  "smoke/test_setup_error.py"], "--jobs", "3",
                       marvin={"parallel_safe": True})
    assert result.code == 1
    assert "3 at a time" in result.err
    assert sorted(r["name"] for r in results(out)) == [
        "smoke/test_mixed.py", "smoke/test_pass.py", "smoke/test_setup_error.py"]


def test_unreachable_management_server_for_checks_exits_3(cli: CliRunner, lab: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    env = write_env(lab, lab / "cloudstack")
    descriptor = yaml.safe_load(env.read_text())
    descriptor["management"]["api_url"] = f"http://127.0.0.1:{port}/client/api"
    env.write_text(yaml.safe_dump(descriptor))
    selection = write_selection(lab, [], checks=["default-route"])
    out = lab / "out"
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output", str(out),
                 env=standin_environ(lab))
    assert result.code == 3, result.err
    record = results(out)[0]
    assert record["kind"] == "checks" and record["error"].startswith("unreachable:")
    assert str(port) in record["error"]
    summary = (out / "summary.md").read_text()
    assert "FAILED" in summary and "unreachable" in summary


def test_json_formats_for_the_plan_and_the_result(cli: CliRunner, lab: Path) -> None:
    plan, _ = _run(cli, lab, ["smoke/test_pass.py"], "--dry-run", "--format", "json")
    data = json.loads(plan.out)
    assert data["suites"] == ["smoke/test_pass.py"]
    assert data["commands"]["smoke/test_pass.py"][-2:] == ["--zone=zim1", "--hypervisor=kvm"]
    result, _ = _run(cli, lab, ["smoke/test_mixed.py"], "--format", "json",
                     "--output", str(lab / "out2"))
    summary = json.loads(result.out)
    assert summary["verdict"] == "FAILED" and summary["exit_code"] == 1 == result.code
    assert summary["counts"]["passed"] == 1 and summary["counts"]["skipped"] == 1


def test_default_output_is_a_fresh_directory_per_run(cli: CliRunner, lab: Path) -> None:
    env = write_env(lab, lab / "cloudstack")
    selection = write_selection(lab, ["smoke/test_pass.py"])
    result = cli("run", "--selection", str(selection), "--env", str(env),
                 env=standin_environ(lab), cwd=lab)
    assert result.code == 0, result.err
    runs = list((lab / "vrtest-runs").glob("lab-standin-*/results.jsonl"))
    assert len(runs) == 1 and str(runs[0].parent.relative_to(lab)) in result.out


def test_files_go_through_the_selector(cli: CliRunner, lab: Path) -> None:
    env = write_env(lab, lab / "cloudstack")
    out = lab / "out"
    result = cli("run", "--files", "systemvm/debian/opt/cloud/bin/cs/CsRoute.py", "--env",
                 str(env), "--output", str(out), "--dry-run", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert plan["checks"] == ["default-route", "iptables-policy", "services"]
    saved = plan["selection"]
    assert not out.exists()
    assert saved["changed"] == ["systemvm/debian/opt/cloud/bin/cs/CsRoute.py"]
    assert any("vr-routing" in r for c in saved["checks"] for r in c["reasons"])


def test_diff_in_a_real_git_checkout(cli: CliRunner, lab: Path) -> None:
    repo = lab / "cloudstack"
    route = repo / "systemvm/debian/opt/cloud/bin/cs/CsRoute.py"
    route.parent.mkdir(parents=True)
    route.write_text("# routes\n")

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-qm", "base")
    route.write_text("# routes, changed\n")
    git("commit", "-qam", "change the default route")
    env = write_env(lab, repo)
    result = cli("run", "--diff", "HEAD~1...HEAD", "--env", str(env), "--output",
                 str(lab / "out"), "--dry-run", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert plan["checks"] == ["default-route", "iptables-policy", "services"]
    saved = plan["selection"]
    assert saved["changed"] == ["systemvm/debian/opt/cloud/bin/cs/CsRoute.py"]
    assert saved["source"]["kind"] == "diff"


def test_a_change_source_error_leaves_no_empty_run_directory(cli: CliRunner, lab: Path) -> None:
    env = write_env(lab, lab / "cloudstack")
    out = lab / "never-made"
    result = cli("run", "--diff", "main...nope", "--env", str(env), "--output", str(out),
                 "--cloudstack", str(lab / "not-a-repo"))
    assert result.code == 2 and "Traceback" not in result.err
    assert not out.exists()
