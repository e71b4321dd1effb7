"""``vrtest history``: import, show, runs, durations, classify through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.history_runs import night, write_run
from vrtest.errors import ExitCode


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Five main nights: t_known fails from night 3, t_flip alternates, t_new always passes."""
    for day in range(1, 6):
        write_run(
            tmp_path / "nights" / f"n{day}",
            {"smoke/a.py::t_known": "failed" if day >= 3 else "passed",
             "smoke/a.py::t_new": "passed",
             "smoke/a.py::t_flip": "failed" if day % 2 else "passed",
             "smoke/b.py::t_other": "flaky" if day == 5 else "passed"},
            started=night(day), commit=f"main{day}",
            suite_durations={"smoke/a.py": 100.0 + day, "smoke/b.py": 10.0},
        )
    write_run(tmp_path / "pr", {"smoke/a.py::t_known": "failed", "smoke/a.py::t_new": "failed",
                                "smoke/a.py::t_flip": "failed", "smoke/b.py::t_other": "passed"},
              started=night(6), pr=887, title="Fix <redundant> `routers`")
    return tmp_path / "h.sqlite"


def _json(out: str) -> object:
    return json.loads(out)


def test_import_show_and_durations(cli, history: Path) -> None:
    root = history.parent
    result = cli("history", "import", str(root / "nights"), "--history", str(history),
                 "--format", "json")
    assert result.code == 0, result.err
    imported = _json(result.out)["imported"]
    assert [row["result"] for row in imported] == ["added"] * 5
    again = cli("history", "import", str(root / "nights"), "--history", str(history))
    assert again.out.count("unchanged") == 5

    shown = _json(cli("history", "show", "--history", str(history), "--format", "json").out)
    rates = {row["test"]: row["flake_rate"] for row in shown["tests"]}
    assert rates == {"smoke/a.py::t_flip": 0.8, "smoke/a.py::t_known": 0.2,
                     "smoke/b.py::t_other": 0.2, "smoke/a.py::t_new": 0.0}
    assert shown["tests"][0]["test"] == "smoke/a.py::t_flip"  # worst first
    last3 = _json(cli("history", "show", "--history", str(history), "--last", "3",
                      "--test", "T_KNOWN", "--format", "json").out)
    assert [(r["test"], r["runs"], r["failed"]) for r in last3["tests"]] == [
        ("smoke/a.py::t_known", 3, 3)]

    durations = _json(cli("history", "durations", "--env", "lab-kvm", "--last", "2",
                          "--history", str(history), "--format", "json").out)
    assert durations["suites"] == {"smoke/a.py": 104.5, "smoke/b.py": 10.0}


def test_since_and_env_filters(cli, history: Path) -> None:
    cli("history", "import", str(history.parent / "nights"), "--history", str(history))
    runs = _json(cli("history", "runs", "--since", "2026-11-04", "--history", str(history),
                     "--format", "json").out)
    assert [run["commit"] for run in runs] == ["main5", "main4"]
    other = _json(cli("history", "runs", "--env", "lab-xen", "--history", str(history),
                      "--format", "json").out)
    assert other == []
    bad = cli("history", "runs", "--since", "last tuesday", "--history", str(history))
    assert bad.code == ExitCode.CONFIG
    assert bad.err.strip().startswith("vrtest: error: --since 'last tuesday'")


def test_classify_pr_run_known_new_flaky_and_fail_on(cli, history: Path) -> None:
    root = history.parent
    cli("history", "import", str(root / "nights"), "--history", str(history))
    result = cli("history", "classify", str(root / "pr"), "--history", str(history),
                 "--format", "json")
    assert result.code == ExitCode.FAILED  # default --fail-on new, and t_new is new
    classes = {f["test"]: f["class"] for f in _json(result.out)["failures"]}
    assert classes == {"smoke/a.py::t_known": "known", "smoke/a.py::t_new": "new",
                       "smoke/a.py::t_flip": "flaky"}
    any_policy = cli("history", "classify", str(root / "pr"), "--fail-on", "any",
                     "--history", str(history))
    assert any_policy.code == ExitCode.FAILED

    write_run(root / "pr2", {"smoke/a.py::t_known": "failed", "smoke/a.py::t_flip": "error",
                             "smoke/a.py::t_new": "passed"}, started=night(7), pr=888)
    only_old = cli("history", "classify", str(root / "pr2"), "--history", str(history))
    assert only_old.code == ExitCode.OK, only_old.out
    assert "run is green" in only_old.err
    strict = cli("history", "classify", str(root / "pr2"), "--fail-on", "any",
                 "--history", str(history))
    assert strict.code == ExitCode.FAILED


def test_classify_without_history_calls_everything_new(cli, history: Path) -> None:
    result = cli("history", "classify", str(history.parent / "pr"), "--history", str(history),
                 "--format", "json")
    assert result.code == ExitCode.FAILED
    assert {f["class"] for f in _json(result.out)["failures"]} == {"new"}
    assert not history.exists()  # judging a run never creates the database


def test_pr_runs_do_not_count_as_baseline(cli, history: Path) -> None:
    root = history.parent
    cli("history", "import", str(root / "nights"), str(root / "pr"), "--history", str(history))
    kinds = [r["kind"] for r in _json(cli("history", "runs", "--history", str(history),
                                          "--format", "json").out)]
    assert kinds == ["pr"] + ["main"] * 5
    shown = _json(cli("history", "show", "--test", "t_new", "--history", str(history),
                      "--format", "json").out)
    assert shown["tests"][0]["failed"] == 0  # the PR's failure is not main's
    with_pr = _json(cli("history", "show", "--test", "t_new", "--kind", "pr", "--kind", "main",
                        "--history", str(history), "--format", "json").out)
    assert with_pr["tests"][0]["failed"] == 1


def test_bad_inputs_are_one_line_errors(cli, tmp_path: Path) -> None:
    db = str(tmp_path / "h.sqlite")
    missing = cli("history", "import", str(tmp_path / "nope"), "--history", db)
    assert missing.code == ExitCode.CONFIG
    assert missing.err.count("\n") == 1 and "no such directory" in missing.err
    broken = write_run(tmp_path / "broken", {"s.py::t": "passed"})
    (broken / "run.json").write_text("{")
    good = write_run(tmp_path / "good", {"s.py::t": "passed"})
    mixed = cli("history", "import", str(broken), str(good), "--history", db)
    assert mixed.code == ExitCode.CONFIG
    assert "run.json" in mixed.err and "good" in mixed.out  # the good run was still stored
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database" * 200)
    opened = cli("history", "runs", "--history", str(junk))
    assert opened.code == ExitCode.CONFIG and "junk.sqlite" in opened.err
    assert "Traceback" not in opened.err


def test_history_path_from_environment(cli, tmp_path: Path) -> None:
    run = write_run(tmp_path / "r", {"s.py::t": "passed"})
    db = tmp_path / "from-env.sqlite"
    assert cli("history", "import", str(run), env={"VRTEST_HISTORY": str(db)}).code == 0
    assert db.is_file()


def test_help_has_examples(cli, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli("history", "--help")
    out = capsys.readouterr().out
    assert result.code == 0 and "examples:" in out and "classify vrtest-output/" in out


@pytest.mark.parametrize("verb", [["runs"], ["durations", "--env", "lab-kvm"],
                                  ["show", "--test", "x"]])
def test_reading_a_history_that_does_not_exist_says_so_and_creates_nothing(
        cli, tmp_path: Path, verb: list[str]) -> None:
    typo = tmp_path / "histroy" / "h.sqlite"
    result = cli("history", *verb, "--history", str(typo))
    assert result.code == 2, result.err
    assert f"no history database at {typo}" in result.err
    assert not typo.parent.exists()
