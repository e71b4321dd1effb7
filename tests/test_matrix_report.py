"""Running cells (per-zone order, parallel zones) and the matrix.html / matrix.md reports."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from pathlib import Path

import pytest

from tests.history_runs import night, write_run
from vrtest.console import Console
from vrtest.history.importer import load_run
from vrtest.history.sqlite import SqliteHistoryStore
from vrtest.matrix.cells import Cell
from vrtest.matrix.execute import run_cells, zone_groups
from vrtest.matrix.plan import load_matrix
from vrtest.matrix.render import render_html, render_markdown, write_reports
from vrtest.matrix.report import collect

REPO = Path(__file__).resolve().parent.parent
EVIL = "test_<script>alert(1)</script>|`x`*[y](http://e)"


def cell(env: str, kind: str, zone: str = "z1") -> Cell:
    return Cell(id=f"{env}-{kind}", plan="lab", env=env, zone=zone, kind=kind, title=kind,
                suites=(), checks=("default-route",), vpc="vpc" in kind,
                redundant="redundant" in kind)


def results_writer(outcomes: dict[str, dict[str, str]]):
    """A cell executor writing real results.jsonl/run.json (stands in for `vrtest run`)."""

    def execute(c: Cell, directory: Path) -> int:
        write_run(directory, outcomes[c.id], env=c.env, started=night(26))
        return 1 if "failed" in outcomes[c.id].values() else 0

    return execute


def test_cells_of_a_zone_run_in_turn_and_zones_in_parallel(tmp_path: Path) -> None:
    cells = [cell("a", "isolated"), cell("a", "vpc"), cell("b", "isolated"), cell("b", "vpc")]
    assert [[c.id for c in g] for g in zone_groups(cells)] == [
        ["a-isolated", "a-vpc"], ["b-isolated", "b-vpc"]]
    running: dict[str, int] = {"a": 0, "b": 0}
    overlap = threading.Event()
    lock = threading.Lock()

    def execute(c: Cell, directory: Path) -> int:
        with lock:
            running[c.env] += 1
            assert running[c.env] == 1, "two runs at once in one zone"
            if running["a"] and running["b"]:
                overlap.set()
        overlap.wait(timeout=5)
        time.sleep(0.05)
        write_run(directory, {"checks::default-route": "passed"}, env=c.env)
        with lock:
            running[c.env] -= 1
        return 0

    console = Console(io.StringIO(), io.StringIO())
    runs = run_cells(cells, tmp_path, execute, console, parallel=4)
    assert overlap.is_set()  # both environments were running at the same moment
    assert [r.cell.id for r in runs] == [c.id for c in cells]
    meta = json.loads((tmp_path / "b-vpc" / "run.json").read_text())
    assert (meta["cell"], meta["plan"], meta["network_kind"]) == ("b-vpc", "lab", "vpc")
    assert load_run(tmp_path / "b-vpc").record.kind == "nightly"


def _lab_report(tmp_path: Path, store: SqliteHistoryStore | None = None):
    spec = load_matrix(REPO / "suites" / "matrix.yaml")
    plan = spec.plans["lab"]
    cells = [cell("local", k, "local-zone") for k in ("isolated", "isolated-redundant", "vpc")]
    outcomes = {
        "local-isolated": {"checks::default-route[r-4-VM]": "passed"},
        "local-vpc": {"checks::default-route[r-6-VM]": "failed", f"checks::{EVIL}": "failed"},
        "local-isolated-redundant": {"checks::default-route[r-8-VM]": "passed",
                                "checks::redundant-state": "flaky"},
    }
    run_cells(cells, tmp_path, results_writer(outcomes), Console(io.StringIO(), io.StringIO()))
    return collect(spec, plan, cells, tmp_path, store=store)


def test_failing_cell_is_the_only_red_one_in_both_reports(tmp_path: Path) -> None:
    report = _lab_report(tmp_path)
    statuses = {cid: c.status for cid, c in report.cells.items()}
    assert statuses == {"local-isolated": "passed", "local-vpc": "failed",
                        "local-isolated-redundant": "passed"}
    markdown = render_markdown(report)
    table = [line for line in markdown.splitlines() if line.startswith("| local")]
    assert len(table) == 1
    cols = table[0].split(" | ")
    assert "PASSED 1/1" in cols[1] and "**FAILED** 0/2, 2 failed" in cols[3]
    assert "PASSED 1/2, 1 flaky" in cols[2]
    assert "](local-vpc/results.jsonl)" in cols[3]
    assert "## local: vpc" in markdown and "## local: isolated" not in markdown


def test_pr_controlled_names_are_escaped(tmp_path: Path) -> None:
    report = _lab_report(tmp_path)
    page = render_html(report)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = render_markdown(report)
    evil_line = next(line for line in markdown.splitlines() if "alert" in line)
    # one code span whose delimiter is longer than any backtick run inside it
    span = re.fullmatch(r"- (`+)(.*)\1", evil_line)
    assert span is not None, evil_line
    assert all(len(run) < len(span.group(1)) for run in re.findall(r"`+", span.group(2)))
    assert "test_<script>alert(1)</script>|`x`*[y](http://e)" in span.group(2)


def test_trend_comes_from_history(tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "h.sqlite")
    for day, outcome in ((23, "passed"), (24, "failed"), (25, "passed")):
        run = write_run(tmp_path / "past" / str(day), {"checks::default-route": outcome},
                        env="local", started=night(day), cell="local-vpc", plan="lab")
        store.import_run(load_run(run).record)
    report = _lab_report(tmp_path / "out", store)
    store.close()
    trend = report.cells["local-vpc"].trend
    assert [(p.started[:10], p.status) for p in trend] == [
        ("2026-11-23", "passed"), ("2026-11-24", "failed"), ("2026-11-25", "passed")]
    assert report.cells["local-isolated"].trend == ()
    page = render_html(report)
    assert page.count("<svg class=\"trend\"") == 1
    assert "2026-11-24T02:00:00Z: 0 passed, 1 failed" in page
    assert "`.x.`" in render_markdown(report)


def test_cell_without_results_is_flagged(tmp_path: Path) -> None:
    spec = load_matrix(REPO / "suites" / "matrix.yaml")
    (tmp_path / "local-vpc").mkdir()
    (tmp_path / "local-vpc" / "matrix-cell.log").write_text("vrtest: error: unreachable\n")
    report = collect(spec, spec.plans["lab"], [cell("local", "vpc", "local-zone")], tmp_path)
    only = report.cells["local-vpc"]
    assert only.status == "no-results" and only.link == "local-vpc/matrix-cell.log"
    assert report.red() == [only]


def test_write_reports_and_report_only_command(cli, tmp_path: Path) -> None:
    out = tmp_path / "matrix"
    _lab_report(out)
    result = cli("matrix", "--plan", "lab", "--report-only", "--output", str(out),
                 "--matrix-file", str(REPO / "suites" / "matrix.yaml"),
                 "--envs-dir", str(REPO / "environments"),
                 "--history", str(tmp_path / "absent.sqlite"))
    assert result.code == 1  # one red cell
    assert not (tmp_path / "absent.sqlite").exists()  # trends read history, never create it
    assert {p.name for p in out.glob("matrix.*")} == {"matrix.html", "matrix.md", "matrix.json"}
    data = json.loads((out / "matrix.json").read_text())
    assert [c["status"] for c in data["cells"]] == ["passed", "passed", "failed"]
    assert re.search(r"^local-vpc +failed +0 +2 ", result.out, re.M)


def test_secrets_never_reach_the_reports(tmp_path: Path, secrets) -> None:
    secrets.register("hunter2-api-secret")
    report = _lab_report(tmp_path)
    object.__setattr__(report, "description", "key hunter2-api-secret leaked")
    written = write_reports(report, tmp_path / "r")
    for path in written:
        assert "hunter2-api-secret" not in path.read_text()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_import_flag_stores_cells_as_nightly(cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "matrix"
    _lab_report(out)
    db = tmp_path / "h.sqlite"
    result = cli("matrix", "--plan", "lab", "--report-only", "--import", "--output", str(out),
                 "--history", str(db), "--format", fmt,
                 "--matrix-file", str(REPO / "suites" / "matrix.yaml"),
                 "--envs-dir", str(REPO / "environments"))
    assert result.code == 1
    store = SqliteHistoryStore(db)
    runs = store.runs()
    store.close()
    assert sorted((r.cell, r.kind) for r in runs) == [
        ("local-isolated", "nightly"), ("local-isolated-redundant", "nightly"),
        ("local-vpc", "nightly")]


def test_interrupt_stops_other_zones_and_starts_no_further_cell(tmp_path: Path) -> None:
    cells = [cell("a", "isolated"), cell("b", "isolated"), cell("b", "vpc")]
    b_started, released = threading.Event(), threading.Event()
    ran: list[str] = []

    def execute(c: Cell, directory: Path) -> int:
        ran.append(c.id)
        if c.env == "a":
            assert b_started.wait(timeout=5)
            raise KeyboardInterrupt  # as if Ctrl-C arrived while both zones were busy
        b_started.set()
        assert released.wait(timeout=5), "the running cell was never stopped"
        write_run(directory, {"checks::default-route": "passed"}, env=c.env)
        return 0

    with pytest.raises(KeyboardInterrupt):
        run_cells(cells, tmp_path, execute, Console(io.StringIO(), io.StringIO()),
                  on_interrupt=released.set)
    time.sleep(0.2)  # give zone b's thread the chance to (wrongly) start its next cell
    assert sorted(ran) == ["a-isolated", "b-isolated"]
    assert not (tmp_path / "b-vpc").exists()
