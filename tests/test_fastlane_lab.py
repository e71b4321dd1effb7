"""Fast lane in real namespaces: the test tree, its broken variant, diffs, cleanup, SIGTERM."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fastlane_helpers import SCENARIOS, TREE, break_default_route, copy_tree, git, leftovers
from vrtest.console import Console
from vrtest.fastlane.__main__ import main as fastlane_main
from vrtest.fastlane.lane import LaneRequest, run_fastlane
from vrtest.fastlane.ns import sweep
from vrtest.fastlane.runner import Workspace, run_scenario, to_suite_result
from vrtest.fastlane.sandbox import SandboxGroup
from vrtest.fastlane.scenario import load_scenario
from vrtest.fastlane.state import capture
from vrtest.results import Outcome, SuiteResult

pytestmark = [pytest.mark.lab,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root for namespaces")]
MINI = SCENARIOS / "mini-vpc"


def _by_check(result: SuiteResult) -> dict[str, Outcome]:
    """Outcome per check (data-plane probes by their own names: there are several)."""
    return {t.name if t.name.startswith("data-plane[") else dict(t.properties).get("check", t.name):
            t.outcome for t in result.tests}


def test_good_tree_passes_every_check(workspace: Workspace) -> None:
    run = run_scenario(load_scenario(MINI), TREE, workspace)
    result = to_suite_result(run)
    assert run.error == ""
    assert _by_check(result) == {
        "default-route": Outcome.PASSED, "iptables-policy": Outcome.PASSED,
        "redundant-state": Outcome.SKIPPED, "vpn": Outcome.SKIPPED, "dhcp-dns": Outcome.PASSED,
        "services": Outcome.PASSED, "scripts": Outcome.PASSED, "processes": Outcome.PASSED,
        "state": Outcome.PASSED, "data-plane[guest-web-1 -> 203.0.113.1]": Outcome.PASSED,
        "data-plane[outsider -> 10.1.1.10]": Outcome.PASSED}
    assert "default via 172.16.0.1 dev eth1" in run.states["r-7-VM"].text("route")
    assert result.kind == "fastlane" and result.name == "fastlane/mini-vpc"


def test_broken_tree_fails_default_route_with_the_route_table(workspace: Workspace,
                                                              tmp_path: Path) -> None:
    broken = copy_tree(tmp_path / "checkout")
    break_default_route(broken)
    result = to_suite_result(run_scenario(load_scenario(MINI), broken, workspace))
    checks = _by_check(result)
    assert checks.pop("default-route") is Outcome.FAILED
    assert checks.pop("data-plane[guest-web-1 -> 203.0.113.1]") is Outcome.FAILED
    assert set(checks.values()) == {Outcome.PASSED, Outcome.SKIPPED}
    failed = next(t for t in result.tests if t.name == "default-route[r-7-VM]")
    assert "no default via 172.16.0.1 dev eth1 (default routes there: none)" in failed.message
    assert any("10.1.1.0/24 dev eth2" in e.output for e in failed.evidence)


def test_tree_that_cannot_be_stacked_is_copied_in_with_the_same_result(
        workspace: Workspace, tmp_path: Path) -> None:
    odd = copy_tree(tmp_path / "check:out")  # ':' cannot be named in overlay's lowerdir
    broken = copy_tree(tmp_path / "check,out")
    break_default_route(broken)
    good_run = run_scenario(load_scenario(MINI), odd, workspace)
    assert good_run.error == ""
    assert set(_by_check(to_suite_result(good_run)).values()) == {Outcome.PASSED, Outcome.SKIPPED}
    checks = _by_check(to_suite_result(run_scenario(load_scenario(MINI), broken, workspace)))
    assert checks["default-route"] is Outcome.FAILED


def test_differential_run_reports_the_removed_default_route(pkg_root: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    tree = copy_tree(checkout)
    git(checkout, "init", "-q")
    git(checkout, "add", ".")
    git(checkout, "commit", "-qm", "base")
    break_default_route(tree)
    err = io.StringIO()
    out = io.StringIO()
    code = fastlane_main(["--cloudstack", str(checkout), "--base", "HEAD",
                          "--suites", str(SCENARIOS)], Console(out, err, environ={}))
    assert code == 1
    assert "scenario mini-vpc: default route via 172.16.0.1 dev eth1 removed" in out.getvalue()
    assert "failed  default-route[r-7-VM]" in out.getvalue()


def test_hanging_script_times_out_and_leaves_nothing(workspace: Workspace, tmp_path: Path) -> None:
    tree = copy_tree(tmp_path / "checkout")
    (tree / "etc/vrtest-test-hang").write_text("")
    short = Workspace(workspace.pkg_root, workspace.run_dir, workspace.prefix, script_timeout=1.5)
    started = time.monotonic()
    run = run_scenario(load_scenario(MINI), tree, short)
    assert "timed out after 1.5s" in run.error
    assert time.monotonic() - started < 15


def test_lane_reports_each_result_as_it_finishes(workspace: Workspace, tmp_path: Path) -> None:
    seen: list[str] = []
    request = LaneRequest((load_scenario(MINI),), TREE, jobs=2)
    err = io.StringIO()
    results = run_fastlane(request, workspace, Console(io.StringIO(), err, environ={}),
                           on_result=lambda r: seen.append(r.name))
    assert seen == ["fastlane/mini-vpc"] and not results[0].failed
    assert not workspace.run_dir.exists()
    assert "fastlane/mini-vpc: ok" in err.getvalue()


def test_sigterm_removes_every_namespace_process_and_mount(pkg_root: Path, tmp_path: Path) -> None:
    tree = copy_tree(tmp_path / "checkout")
    (tree / "etc/vrtest-test-hang").write_text("")
    run_base = tmp_path / "run"
    env = dict(os.environ, VRTEST_FASTLANE_RUN=str(run_base), VRTEST_CACHE=str(pkg_root.parents[1]))
    proc = subprocess.Popen([sys.executable, "-m", "vrtest.fastlane", "--cloudstack", str(tree),
                             "--suites", str(SCENARIOS)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prefix = f"vfl{proc.pid}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not leftovers(prefix, run_base / prefix):
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the hanging update_config.py
    assert leftovers(prefix, run_base / prefix), "the run never started"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert "interrupted by SIGTERM" in err
    assert leftovers(prefix, run_base / prefix) == []


def test_vrtest_run_with_a_fastlane_environment(cli: Any, pkg_root: Path, tmp_path: Path) -> None:
    broken = copy_tree(tmp_path / "checkout")
    break_default_route(broken)
    env = tmp_path / "fastlane.yaml"
    env.write_text(f"name: fl-test\nkind: fastlane\nhypervisor: kvm\n"
                   f"capabilities: {{real_vrs: false}}\nmarvin: {{enabled: false}}\n"
                   f"fastlane: {{suites: {SCENARIOS}, jobs: 1, script_timeout: 20}}\n")
    selection = tmp_path / "selection.json"
    selection.write_text(json.dumps({"changed": ["systemvm/debian/opt/cloud/bin/cs/CsAddress.py"],
                                     "areas": [{"name": "routing-addressing"}], "suites": [],
                                     "checks": [], "source": {"kind": "files"}}))
    out = tmp_path / "run"
    result = cli("run", "--env", str(env), "--cloudstack", str(tmp_path / "checkout"),
                 "--selection", str(selection), "--output", str(out),
                 env={"VRTEST_CACHE": str(pkg_root.parents[1]),
                      "VRTEST_FASTLANE_RUN": str(tmp_path / "fl")})
    assert result.code == 1, result.err
    assert "[fastlane] 1 scenario(s): areas routing-addressing" in result.err
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    lane = [r for r in records if r["kind"] == "fastlane"]
    assert [r["name"] for r in lane] == ["fastlane/mini-vpc"]
    failed = [t["name"] for t in lane[0]["tests"] if t["outcome"] == "failed"]
    assert failed == ["default-route[r-7-VM]", "data-plane[guest-web-1 -> 203.0.113.1]"]
    summary = (out / "summary.md").read_text().replace("\\", "")
    assert "default-route[r-7-VM]" in summary
    assert "data-plane[guest-web-1 -> 203.0.113.1]" in summary.replace("&gt;", ">")


def test_sweep_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    prefix = f"vfs{os.getpid() % 100000}"
    state_dir = tmp_path / "run"
    run_dir = state_dir / prefix / "a"
    # The killed owner recorded a namespace and a holder whose command line names its run dir;
    # a process it never recorded (same marker) must survive the sweep.
    code = textwrap.dedent(f"""
        import os, subprocess, sys
        from pathlib import Path
        from vrtest.fastlane.ns import Ledger
        sleeper = [sys.executable, "-c", "import time; time.sleep(120)", {str(run_dir)!r}]
        ledger = Ledger(Path({str(run_dir / 'state.json')!r}))
        ledger.add_netns({prefix + '-0'!r})
        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        holder = subprocess.Popen(sleeper, **quiet)
        ledger.add_pid(holder.pid)
        stranger = subprocess.Popen(sleeper, **quiet)
        print(holder.pid, stranger.pid, flush=True)
        os._exit(9)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 9, done.stderr
    holder, stranger = (int(word) for word in done.stdout.split())
    try:
        assert f"netns {prefix}-0" in leftovers(prefix, state_dir)
        assert sweep(state_dir) == [f"{prefix}-0"]
        assert _state(holder) in ("gone", "Z")  # killed (a zombie until its new parent reaps it)
        assert Path(f"/proc/{stranger}").exists()  # not recorded: not the sweep's to kill
        assert [item for item in leftovers(prefix, state_dir) if item.startswith("netns")] == []
    finally:
        for pid in (holder, stranger):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert not (run_dir / "state.json").exists()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


IPSEC_SIDE = """config setup
conn {name}
  left={left}
  leftsubnet={left_net}
  right={right}
  rightsubnet={right_net}
  authby=secret
  keyexchange=ikev2
  ike=aes128-sha1-modp1536
  esp=aes128-sha1
  auto=add
"""


def test_ipsec_tunnel_between_two_sandboxes_comes_up(pkg_root: Path, tmp_path: Path) -> None:
    """strongSwan keys a CHILD_SA (kernel ESP, or user-space ESP where the kernel has none).

    ``ipsec up`` exits 0 even when the CHILD_SA is refused, so the state is what counts.
    """
    prefix = f"vfi{os.getpid() % 100000}{time.monotonic_ns() % 1000}"
    sides = {"a": ("192.0.2.10", "10.71.0.0/16"), "b": ("192.0.2.20", "10.72.0.0/16")}
    with SandboxGroup(prefix, tmp_path / "run", TREE, pkg_root, nics=2) as group:
        routers = {}
        for index, (name, (address, _)) in enumerate(sides.items(), start=1):
            other, (other_address, other_net) = next(
                (n, s) for n, s in sides.items() if n != name)
            router = routers[name] = group.add_router(name, index)
            router.write("/etc/ipsec.conf", IPSEC_SIDE.format(
                name=f"to-{other}", left=address, left_net=sides[name][1], right=other_address,
                right_net=other_net))
            router.write("/etc/ipsec.secrets", f'{address} {other_address} : PSK "t-psk"\n')
            own = sides[name][1].replace(".0/16", ".1/16")
            started = router.shell(f"rm -f /etc/ipsec.d/*.conf; ip addr add {address}/24 dev eth1"
                                   f" && ip link set eth1 up && ip addr add {own} dev lo"
                                   " && systemctl start ipsec && sleep 0.5")
            assert started.exit_status == 0, started.stderr
        up = routers["a"].shell("timeout 15 ipsec up to-b")
        assert up.exit_status == 0, up.stdout[-1500:]
        assert "to-b: INSTALLED, TUNNEL" in capture(routers["a"]).sections["ipsec"], up.stdout
        assert "to-a: INSTALLED, TUNNEL" in capture(routers["b"]).sections["ipsec"]
    assert leftovers(prefix, tmp_path / "run") == []
