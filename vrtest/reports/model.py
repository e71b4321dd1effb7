"""One run as the reports see it: metadata, selection, and every test as a row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrtest.results import Outcome, SuiteResult, TestResult
from vrtest.runner.store import RUN_META, SELECTION, load_results, read_json

SUITE_ERROR = "(suite)"


@dataclass(frozen=True)
class Row:
    """One test (or a whole-suite error / not-run entry) and its suite."""

    suite: SuiteResult
    test: TestResult

    @property
    def outcome(self) -> Outcome:
        """The test's outcome."""
        return self.test.outcome


@dataclass(frozen=True)
class RunReport:
    """Everything a report shows."""

    meta: dict[str, Any]
    selection: dict[str, Any]
    results: tuple[SuiteResult, ...]
    rows: tuple[Row, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """Rows per outcome value."""
        counts = {outcome.value: 0 for outcome in Outcome}
        for row in self.rows:
            counts[row.outcome.value] += 1
        return counts

    @property
    def failed_rows(self) -> list[Row]:
        """Failures and errors, in run order."""
        return [row for row in self.rows if row.outcome.is_failure]

    @property
    def verdict(self) -> str:
        """One word for the whole run."""
        counts = self.counts()
        if counts["failed"] or counts["error"]:
            verdict = "FAILED"
        elif counts["passed"] or counts["flaky"]:
            verdict = "PASSED"
        else:
            verdict = "NOTHING VERIFIED"
        if counts["not_run"] and verdict != "NOTHING VERIFIED":
            verdict += f" ({counts['not_run']} not run)"
        if self.meta.get("status") not in (None, "", "finished"):
            verdict += f" (partial: {self.meta['status']})"
        return verdict

    @property
    def duration(self) -> float:
        """Sum of suite durations."""
        return sum(result.duration for result in self.results)


def suite_rows(result: SuiteResult) -> list[Row]:
    """A suite's tests, plus one row for a whole-suite error or not-run entry."""
    rows = [Row(result, test) for test in result.tests]
    if result.error:
        not_run = bool(result.metadata.get("not_run"))
        outcome = Outcome.NOT_RUN if not_run else Outcome.ERROR
        message = result.error.removeprefix("not run: ")
        rows.append(Row(result, TestResult(name=SUITE_ERROR, classname=result.name,
                                           outcome=outcome, duration=result.duration,
                                           message=message, details=result.log_tail)))
    return rows


def build_report(meta: dict[str, Any], selection: dict[str, Any],
                 results: list[SuiteResult]) -> RunReport:
    """Assemble a report from its three inputs."""
    rows = tuple(row for result in results for row in suite_rows(result))
    return RunReport(meta, selection, tuple(results), rows)


def load_report(directory: Path) -> RunReport:
    """Read results.jsonl, run.json and selection.json from a run directory."""
    return build_report(read_json(directory / RUN_META), read_json(directory / SELECTION),
                        load_results(directory))
