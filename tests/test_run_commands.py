"""Marvin command building (argv lists) from the environment's Marvin settings, and the plan."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.lab_descriptor import write_lab_descriptor
from tests.run_support import LAB, make_checkout, write_env
from vrtest.environment import (
    Capabilities,
    Environment,
    LabSettings,
    Management,
    MarvinSettings,
    load_environment,
)
from vrtest.runner.bridge_path import install_bridge
from vrtest.runner.marvin_command import (
    attr_expression,
    build_invocation,
    child_environment,
    qualified_tests,
)
from vrtest.runner.plan import PlanInput, PlannedSuite, make_plan, read_selection

MANAGEMENT = Management(api_url="http://127.0.0.1:8080/client/api")


def test_attr_expression() -> None:
    assert attr_expression(MarvinSettings(required_hardware=False)) == (
        "tags=advanced,required_hardware=false")
    # A hardware zone runs every tagged test (no required_hardware filter), as Trillian does.
    assert attr_expression(MarvinSettings(tags=("advanced",), required_hardware=True)) == (
        "tags=advanced")


def test_nose_argv_with_extra_args_and_narrowed_tests(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    settings = MarvinSettings(python="/opt/py/bin/python3", zone="zim1", hypervisor="kvm",
                              required_hardware=False, extra_args=("--nologcapture",))
    invocation = build_invocation(settings, checkout, tmp_path / "run", tmp_path / "m.cfg",
                                  "smoke/test_flaky.py", ["test_02_always_fails"])
    assert list(invocation.argv) == [
        "/opt/py/bin/python3", "-m", "nose", "--with-xunit",
        f"--xunit-file={tmp_path}/run/marvin/smoke__test_flaky.xml", "--with-marvin",
        f"--marvin-config={tmp_path}/m.cfg", f"--log-folder-path={tmp_path}/run/marvin-logs",
        "test/integration/smoke/test_flaky.py:TestFlaky",
        "-m", r"^(?:test_02_always_fails)(?:_\d+(?:_.*)?)?$",
        "-s", "-a", "tags=advanced,required_hardware=false", "--zone=zim1", "--hypervisor=kvm",
        "--nologcapture"]
    assert invocation.cwd == checkout


def test_pytest_argv_uses_node_ids(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    settings = MarvinSettings(runner="pytest", python=sys.executable, zone="z",
                              hypervisor="xenserver")
    invocation = build_invocation(settings, checkout, tmp_path, tmp_path / "m.cfg",
                                  "smoke/test_mixed.py", ["TestMixed.test_02_fails"], attempt=1)
    argv = list(invocation.argv)
    assert argv[:5] == [sys.executable, "-m", "pytest", "-p", "vrtest.marvin_bridge.plugin"]
    assert f"--junitxml={tmp_path}/marvin/smoke__test_mixed.rerun1.xml" in argv
    assert argv[-1] == "test/integration/smoke/test_mixed.py::TestMixed"
    assert "--marvin-test=TestMixed.test_02_fails" in argv
    assert "--marvin-zone=z" in argv and "--marvin-hypervisor=xenserver" in argv
    # Only the bridge goes on Marvin's path, never vrtest's package root (its site-packages).
    assert invocation.env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path / ".marvin-bridge")
    assert str(Path(__file__).resolve().parent.parent) not in invocation.env["PYTHONPATH"]


def test_installed_bridge_is_what_marvins_python_imports(tmp_path: Path) -> None:
    root = install_bridge(tmp_path)
    settings = MarvinSettings(runner="pytest", python=sys.executable)
    env = {**os.environ, **child_environment(settings, tmp_path, "smoke/x.py")}
    probe = "import vrtest, vrtest.marvin_bridge.plugin as p; print(p.__file__, vrtest.__doc__)"
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    assert done.stdout.startswith(str(root / "vrtest" / "marvin_bridge" / "plugin.py"))
    assert "Marvin bridge only" in done.stdout
    assert sorted(p.name for p in (root / "vrtest").iterdir()) == ["__init__.py",
                                                                    "marvin_bridge"]


def test_hostile_suite_names_stay_single_arguments(tmp_path: Path) -> None:
    name = "smoke/test_x.py; rm -rf / #`id`"
    invocation = build_invocation(MarvinSettings(), tmp_path, tmp_path, tmp_path / "c",
                                  name, [])
    assert f"test/integration/{name}.py" in invocation.argv
    assert invocation.report_file.parent == tmp_path / "marvin"
    assert invocation.report_file.name == "smoke__test_x.py__rm_-rf______id_.xml"


def test_qualified_tests_reads_classes_without_importing(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    assert qualified_tests(checkout, "smoke/test_mixed.py", ["test_04_skips", "Other.x",
                                                             "nope"]) == [
        "TestMixed.test_04_skips", "Other.x", "nope"]


def test_marvin_settings_and_deploy_come_from_the_loaded_descriptor(tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    path = write_env(tmp_path, checkout, marvin={"runner": "pytest", "python": "python3",
                                                 "extra_args": ["-x"]},
                     deploy=[{"name": "d", "argv": ["make", "{pr}"]}])
    env = load_environment(str(path))
    assert env.marvin.tags == ("advanced",) and env.marvin.required_hardware is False
    assert env.marvin.hypervisor == "kvm" and env.deploy[0].argv == ("make", "{pr}")
    invocation = build_invocation(env.marvin, checkout, tmp_path, tmp_path / "m.cfg",
                                  "smoke/test_pass.py", [])
    assert invocation.argv[:3] == ("python3", "-m", "pytest") and "-x" in invocation.argv
    assert "--marvin-attr=tags=advanced,required_hardware=false" in invocation.argv
    plan = make_plan(read_selection({"suites": [{"path": "smoke/test_pass.py"}]}), env)
    assert [s.path for s in plan.suites] == ["smoke/test_pass.py"] and not plan.not_run


def test_plan_simulator_and_lab() -> None:
    selected = read_selection({"suites": [{"path": "smoke/a.py", "reasons": ["r"]}],
                               "checks": [{"name": "default-route"}],
                               "not_verified": [{"what": "smoke/vpn.py", "reason": "no VPN"}]})
    assert selected.not_verified == ("smoke/vpn.py: no VPN",)
    simulator = make_plan(selected, Environment(
        name="sim", path=Path("sim.yaml"), hypervisor="simulator",
        capabilities=Capabilities(real_vrs=False), management=MANAGEMENT))
    assert [s.path for s in simulator.suites] == ["smoke/a.py"]
    assert any("VR code is not exercised" in n for n in simulator.not_verified)
    lab = make_plan(selected, Environment(
        name="local", path=Path("local.yaml"), hypervisor="kvm", kind="lab",
        capabilities=Capabilities(real_vrs=True), management=MANAGEMENT,
        marvin=MarvinSettings(enabled=False), lab=LabSettings(**LAB)))  # type: ignore[arg-type]
    assert lab.suites == () and lab.not_run[0][0] == PlannedSuite("smoke/a.py", (), ("r",))
    assert "is the embedded lab, not a CloudStack management server" in lab.not_run[0][1]
    assert "marvin.enabled: true" in lab.not_run[0][1]
    assert [c.name for c in lab.checks] == ["default-route"]
    no_server = Environment(name="x", path=Path("x.yaml"), hypervisor="kvm",
                            capabilities=Capabilities(real_vrs=True))
    assert make_plan(PlanInput(), no_server).suites == ()
    assert make_plan(selected, no_server).not_run[0][1] == (
        "environment 'x' has no CloudStack management server")


def test_lab_runs_marvin_against_its_api_only_when_enabled(tmp_path: Path) -> None:
    """Real Marvin runs on the lab's API when asked; a lab that does not say so keeps NOT RUN."""
    selected = read_selection({"suites": [{"path": "smoke/a.py"}]})
    path = write_lab_descriptor(tmp_path, "lab-marvin")
    data = yaml.safe_load(path.read_text())
    del data["marvin"]["enabled"]
    path.write_text(yaml.safe_dump(data))
    silent = load_environment(str(path))
    assert silent.marvin.enabled is False and make_plan(selected, silent).not_run
    data["marvin"]["enabled"] = True
    path.write_text(yaml.safe_dump(data))
    plan = make_plan(selected, load_environment(str(path)))
    assert [s.path for s in plan.suites] == ["smoke/a.py"] and not plan.not_run
