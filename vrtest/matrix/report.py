"""Collect a matrix's cells (their run dirs) and trends into one :class:`MatrixReport`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vrtest.errors import VrtestError
from vrtest.history.importer import RESULTS_FILE, read_results, suite_rows
from vrtest.history.records import BASELINE_KINDS
from vrtest.history.store import HistoryStore
from vrtest.matrix.cells import Cell
from vrtest.matrix.plan import MatrixSpec, Plan

REPORT_CANDIDATES = ("report.html", "summary.md", "results.jsonl", "matrix-cell.log")
FAILURES_SHOWN = 10


@dataclass(frozen=True)
class TrendPoint:
    """One earlier night of a cell, from history."""

    started: str
    passed: int
    failed: int
    total: int

    @property
    def status(self) -> str:
        """passed, failed or not-run."""
        return "failed" if self.failed else "passed" if self.passed else "not-run"


@dataclass(frozen=True)
class CellReport:
    """One cell of the grid."""

    cell: Cell
    status: str  # passed | failed | not-run | no-results
    counts: dict[str, int]
    failures: tuple[str, ...] = ()
    link: str = ""
    trend: tuple[TrendPoint, ...] = ()

    @property
    def failed(self) -> int:
        """Failed plus errored tests."""
        return self.counts.get("failed", 0) + self.counts.get("error", 0)

    @property
    def total(self) -> int:
        """Tests with any outcome."""
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"cell": self.cell.to_dict(), "status": self.status, "counts": self.counts,
                "failures": list(self.failures), "link": self.link,
                "trend": [vars(point) for point in self.trend]}


@dataclass(frozen=True)
class MatrixReport:
    """The whole grid: environments (rows) x network kinds (columns)."""

    plan: str
    description: str
    generated: str
    envs: tuple[str, ...]
    kinds: tuple[tuple[str, str], ...]  # (id, title), in matrix-file order
    cells: dict[str, CellReport] = field(default_factory=dict)  # by cell id

    def at(self, env: str, kind: str) -> CellReport | None:
        """The cell for (env, kind), or None when that env cannot host that kind."""
        for report in self.cells.values():
            if report.cell.env == env and report.cell.kind == kind:
                return report
        return None

    def red(self) -> list[CellReport]:
        """Cells with failures or without results."""
        return [c for c in self.cells.values() if c.status in ("failed", "no-results")]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (matrix.json)."""
        return {"plan": self.plan, "description": self.description, "generated": self.generated,
                "envs": list(self.envs), "kinds": [list(k) for k in self.kinds],
                "cells": [c.to_dict() for c in self.cells.values()]}


def cell_report(cell: Cell, directory: Path, trend: Sequence[TrendPoint] = ()) -> CellReport:
    """Read one cell's run dir into its grid entry."""
    if not (directory / RESULTS_FILE).is_file():
        return CellReport(cell, "no-results", {}, link=_link(cell, directory),
                          trend=tuple(trend))
    try:
        suites, _ = read_results(directory / RESULTS_FILE)
    except VrtestError as exc:
        return CellReport(cell, "no-results", {}, (exc.one_line(),), _link(cell, directory),
                          tuple(trend))
    rows = [row for suite in suites for row in suite_rows(suite)]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    failures = tuple(row.key for row in rows if row.outcome in ("failed", "error"))
    verdicts = sum(counts.get(k, 0) for k in ("passed", "flaky", "failed", "error"))
    status = "failed" if failures else "passed" if verdicts else "not-run"
    return CellReport(cell, status, counts, failures, _link(cell, directory), tuple(trend))


def _link(cell: Cell, directory: Path) -> str:
    for name in REPORT_CANDIDATES:
        if (directory / name).is_file():
            return f"{cell.id}/{name}"
    return ""


def trend_points(store: HistoryStore | None, cell: Cell, nights: int) -> list[TrendPoint]:
    """The cell's last ``nights`` stored runs, oldest first."""
    if store is None:
        return []
    runs = store.runs(env=cell.env, cell=cell.id, kinds=BASELINE_KINDS, limit=nights)
    return [
        TrendPoint(run.started, run.counts.get("passed", 0) + run.counts.get("flaky", 0),
                   run.failed, sum(run.counts.values()))
        for run in reversed(runs)
    ]


def collect(
    spec: MatrixSpec,
    plan: Plan,
    cells: Sequence[Cell],
    output: Path,
    *,
    store: HistoryStore | None = None,
) -> MatrixReport:
    """Build the grid from the cells' directories under ``output`` and history trends."""
    envs = tuple(dict.fromkeys(cell.env for cell in cells))
    used = {cell.kind for cell in cells}
    kinds = tuple((k.id, k.title) for k in spec.kinds.values() if k.id in used)
    reports = {
        cell.id: cell_report(cell, output / cell.id, trend_points(store, cell, plan.trend))
        for cell in cells
    }
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return MatrixReport(plan.name, plan.description, generated, envs, kinds, reports)
