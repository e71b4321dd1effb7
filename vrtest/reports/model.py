"""One run as the reports see it: metadata, selection, and every test as a row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrtest.results import Outcome, SuiteResult, TestResult
from vrtest.runner.store import RUN_META, SELECTION, load_results, read_json

SUITE_ERROR = "(suite)"
REASONS_SHOWN = 3  # distinct not-run / skip reasons named in a NOTHING VERIFIED verdict


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
        tally = Counter(row.outcome for row in self.rows)
        return {outcome.value: tally[outcome] for outcome in Outcome}

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
    def verdict_reason(self) -> str:
        """Why nothing was verified; empty unless the verdict is NOTHING VERIFIED."""
        counts = self.counts()
        if any(counts[key] for key in ("failed", "error", "passed", "flaky")):
            return ""
        if not self.rows:
            return _empty_run_reason(self.meta, self.selection)
        groups = Counter((row.outcome.value.replace("_", " "), _one_line(row.test.message))
                         for row in self.rows)
        parts = [f"{count} {word}: {why}" if why else f"{count} {word}"
                 for (word, why), count in groups.most_common(REASONS_SHOWN)]
        more = len(groups) - REASONS_SHOWN
        return "; ".join(parts) + (f"; and {more} more reason(s)" if more > 0 else "")

    @property
    def verdict_line(self) -> str:
        """The verdict, with why when nothing was verified."""
        reason = self.verdict_reason
        return f"{self.verdict} - {reason}" if reason else self.verdict

    def outcome_text(self) -> str:
        """The console's result: verdict and counts; a verdict with a reason gets its own line."""
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in self.counts().items())
        if self.verdict_reason:
            return f"{self.verdict_line}\n{counts}"
        return f"{self.verdict}: {counts}"

    @property
    def duration(self) -> float:
        """Sum of suite durations."""
        return sum(result.duration for result in self.results)


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _empty_run_reason(meta: dict[str, Any], selection: dict[str, Any]) -> str:
    """Why a run without a single result verified nothing."""
    status = meta.get("status")
    if status not in (None, "", "finished"):
        return f"the run stopped ({status}) before anything finished"
    if selection.get("suites") or selection.get("checks"):
        shard = f" (shard {meta['shard']})" if meta.get("shard") else ""
        return f"nothing selected was left to run here{shard}"
    filtered = len(selection.get("not_verified") or ())
    if filtered:
        return (f"everything selected was filtered out for environment {meta.get('env', '')!r}"
                f" ({filtered} item(s) under Not verified)")
    changed, unmatched = (len(selection.get(key) or ()) for key in ("changed", "unmatched"))
    return (f"nothing was selected: {changed} changed file(s), {unmatched} outside every "
            "VR area")


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
