"""``vrtest run`` judged against main's history: known / new / flaky, exit code by --fail-on.

Real runs of the Marvin stand-in (real nose-shaped subprocesses), real history imports.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliRunner
from tests.history_runs import night
from tests.run_support import make_checkout, standin_environ, write_env, write_selection

SUITES = ["smoke/test_mixed.py", "smoke/test_setup_error.py"]
ZONE = {
    "name": "zim1", "network_type": "Advanced", "dns": ["10.254.2.1"],
    "internal_dns": ["10.254.0.1"], "guest_cidr": "10.1.0.0/16",
    "physical_networks": [{"name": "pnet", "vlan": "100-199", "providers": ["VirtualRouter"],
                           "traffic_types": ["Guest", "Management", "Public"]}],
    "public_ip_ranges": [{"start": "10.254.2.10", "end": "10.254.2.250",
                          "netmask": "255.255.255.0", "gateway": "10.254.2.1",
                          "vlan": "untagged"}],
    "pods": [{"name": "pod", "start": "10.254.0.10", "end": "10.254.0.100",
              "netmask": "255.255.255.0", "gateway": "10.254.0.1",
              "clusters": [{"name": "cluster", "hypervisor": "KVM",
                            "hosts": [{"address": "10.254.0.2", "username": "root",
                                       "password": "standin-host-pw"}],
                            "primary_storage": [{"name": "p", "url": "nfs://10.254.0.1/p"}]}]}],
    "secondary_storage": [{"url": "nfs://10.254.0.1/s", "provider": "NFS"}],
}


@pytest.fixture
def standin(tmp_path: Path) -> dict[str, Any]:
    """A stand-in checkout, a descriptor for it and a saved selection of two suites."""
    make_checkout(tmp_path)
    env = write_env(tmp_path, tmp_path / "cloudstack", zones=[ZONE])
    return {"root": tmp_path, "env": env, "selection": write_selection(tmp_path, SUITES),
            "db": tmp_path / "history.sqlite"}


def _run(cli: CliRunner, s: dict[str, Any], name: str, *extra: str):
    out = s["root"] / name
    result = cli("run", "--selection", str(s["selection"]), "--env", str(s["env"]),
                 "--output", str(out), "--history", str(s["db"]), *extra,
                 env=standin_environ(s["root"]))
    return result, out


def _main_night(source: Path, target: Path, day: int, outcomes: dict[str, str]) -> Path:
    """A main run with the PR run's tests, outcomes replaced per test name."""
    target.mkdir(parents=True)
    lines = []
    for line in (source / "results.jsonl").read_text().splitlines():
        suite = json.loads(line)
        suite.update(error="", started=night(day))
        for test in suite["tests"]:
            test["outcome"] = outcomes.get(test["name"], "passed")
        lines.append(json.dumps(suite))
    (target / "results.jsonl").write_text("\n".join(lines) + "\n")
    meta = {"env": "lab-standin", "commit": f"main{day:02d}", "branch": "main",
            "started": night(day), "finished": night(day)}
    (target / "run.json").write_text(json.dumps(meta))
    return target


def _classes(out: Path) -> dict[str, str]:
    meta = json.loads((out / "run.json").read_text())
    return {item["test"].rsplit("::", 1)[-1]: item["class"]
            for item in meta["baseline"]["failures"]}


def test_pr_failures_classified_against_main_and_exit_follows_fail_on(
    cli: CliRunner, standin: dict[str, Any]
) -> None:
    first, out1 = _run(cli, standin, "pr-no-history")
    assert first.code == 1, first.err  # no history: every failure is new
    assert set(_classes(out1).values()) == {"new"}
    assert "No history database" in (out1 / "summary.md").read_text()

    nights = standin["root"] / "main"
    for day in range(1, 6):  # test_02 fails on main; test_03 passes; setup flips
        _main_night(out1, nights / f"n{day}", day, {
            "test_02_fails": "failed",
            "setup (ContextSuite)": "error" if day % 2 else "passed"})
    imported = cli("history", "import", "--kind", "main", str(nights),
                   "--history", str(standin["db"]))
    assert imported.code == 0, imported.err
    shown = cli("history", "show", "--env", "lab-standin", "--history", str(standin["db"]),
                "--format", "json")
    rates = {row["test"].rsplit("::", 1)[-1]: (row["runs"], row["failed"], row["flake_rate"])
             for row in json.loads(shown.out)["tests"]}
    assert rates["test_02_fails"] == (5, 5, 0.0)  # always failing is not flaky
    assert rates["setup (ContextSuite)"] == (5, 3, 0.8)  # error, pass, error, pass, error
    assert rates["test_01_passes"] == (5, 0, 0.0)
    durations = json.loads(cli("history", "durations", "--env", "lab-standin", "--history",
                               str(standin["db"]), "--format", "json").out)["suites"]
    recorded = {json.loads(line)["name"]: json.loads(line)["duration"]
                for line in (out1 / "results.jsonl").read_text().splitlines()}
    assert durations["smoke/test_mixed.py"] == pytest.approx(recorded["smoke/test_mixed.py"])

    second, out2 = _run(cli, standin, "pr-judged")
    assert second.code == 1  # test_03_errors is new, and --fail-on new is the default
    assert _classes(out2) == {"test_02_fails": "known", "test_03_errors": "new",
                              "setup (ContextSuite)": "flaky"}
    assert "[baseline] 1 new, 1 known, 1 flaky (--fail-on new)" in second.err
    summary = (out2 / "summary.md").read_text()
    assert "Policy: `--fail-on new`: only new failures fail the run" in summary
    assert summary.index("#### new (1)") < summary.index("#### known (1)") < summary.index(
        "#### flaky (1)")
    assert "failing on main in lab-standin since 2026-11-01T02:00:00Z (main01)" in summary
    props = _junit_classes(out2 / "junit.xml")
    assert props == {"test_02_fails": "known", "test_03_errors": "new",
                     "setup (ContextSuite)": "flaky"}

    for day in (6, 7):  # main starts failing test_03 too: nothing new any more
        _main_night(out1, nights / f"n{day}", day, {
            "test_02_fails": "failed", "test_03_errors": "error",
            "setup (ContextSuite)": "passed"})
    cli("history", "import", "--kind", "main", str(nights), "--history", str(standin["db"]))
    lenient, out3 = _run(cli, standin, "pr-only-known")
    assert lenient.code == 0, lenient.err
    assert _classes(out3)["test_03_errors"] == "known"
    strict, _ = _run(cli, standin, "pr-fail-on-any", "--fail-on", "any")
    assert strict.code == 1


def _junit_classes(path: Path) -> dict[str, str]:
    classes = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        for prop in case.iter("property"):
            if prop.get("name") == "vrtest.baseline":
                classes[str(case.get("name"))] = str(prop.get("value"))
    return classes


def test_history_orders_likely_failures_first_and_feeds_shard_durations(
    cli: CliRunner, standin: dict[str, Any]
) -> None:
    from tests.history_runs import write_run
    from vrtest.history import likely_failures_first, suite_durations

    db, root = standin["db"], standin["root"]
    for day, outcome in ((1, "failed"), (2, "passed"), (3, "error")):
        write_run(root / "past" / str(day), {"smoke/test_mixed.py::t": outcome,
                                             "smoke/test_pass.py::t": "passed"},
                  env="lab-standin", started=night(day),
                  suite_durations={"smoke/test_mixed.py": 900.0, "smoke/test_pass.py": 5.0})
    cli("history", "import", str(root / "past"), "--history", str(db))
    assert suite_durations("lab-standin", history=db) == {
        "smoke/test_mixed.py": 900.0, "smoke/test_pass.py": 5.0}
    order = ["smoke/test_pass.py", "smoke/test_mixed.py"]
    assert likely_failures_first(order, "lab-standin", history=db) == order[::-1]
    assert likely_failures_first(order, "lab-standin", history=root / "none.sqlite") == order

    selection = write_selection(root, order)
    out = root / "ordered"
    result = cli("run", "--selection", str(selection), "--env", str(standin["env"]),
                 "--output", str(out), "--history", str(db), env=standin_environ(root))
    assert result.code == 1, result.err  # test_mixed fails; its tests have no history: new
    ran = [json.loads(line)["name"] for line in (out / "results.jsonl").read_text().splitlines()]
    assert ran == ["smoke/test_mixed.py", "smoke/test_pass.py"]


def test_shard_balancing_uses_history_durations(cli: CliRunner, standin: dict[str, Any]) -> None:
    from tests.history_runs import write_run

    db, root = standin["db"], standin["root"]
    suites = ["smoke/test_pass.py", "smoke/test_mixed.py", "smoke/test_setup_error.py"]
    write_run(root / "past", {f"{s}::t": "passed" for s in suites}, env="lab-standin",
              suite_durations={"smoke/test_mixed.py": 900.0, "smoke/test_pass.py": 5.0,
                               "smoke/test_setup_error.py": 5.0})
    cli("history", "import", str(root / "past"), "--history", str(db))
    selection = write_selection(root, suites)
    ran = {}
    for shard in ("1/2", "2/2"):
        out = root / f"shard{shard[0]}"
        result = cli("run", "--selection", str(selection), "--env", str(standin["env"]),
                     "--output", str(out), "--history", str(db), "--shard", shard,
                     env=standin_environ(root))
        assert result.code in (0, 1), result.err
        lines = (out / "results.jsonl").read_text().splitlines()
        ran[shard] = sorted(json.loads(line)["name"] for line in lines)
    # the 900 s suite alone on one shard, the two short ones together on the other
    assert sorted(ran.values()) == [["smoke/test_mixed.py"],
                                    ["smoke/test_pass.py", "smoke/test_setup_error.py"]]
