"""The run's last stages: baseline classification, reports, the exit code and its line."""

from __future__ import annotations

from typing import Any

from vrtest.errors import ExitCode
from vrtest.history.runhook import BASELINE_KEY, baseline_record, fails_run
from vrtest.reports import write_reports
from vrtest.reports.model import load_report
from vrtest.results import SuiteResult
from vrtest.runner.state import RunState, utc_now
from vrtest.runner.store import RUN_META


def stage_reports(state: RunState, status: str) -> None:
    """Regenerate every report from results.jsonl + run.json."""
    state.meta.update(finished=utc_now(), status=status)
    state.store.write_json(RUN_META, state.meta)
    state.store.mark_reported()
    written = write_reports(state.store.directory)
    state.console.info(f"[reports] {', '.join(p.name for p in written)} in {state.store.directory}")


def stage_baseline(state: RunState) -> None:
    """Classify failures as new / known / flaky against main's history (kept in run.json)."""
    options = state.options
    judged = [r for r in state.store.results() if not r.metadata.get("unreachable")]
    record = baseline_record(judged, state.env.name, fail_on=options.fail_on,
                             history=options.history)
    state.meta[BASELINE_KEY] = record
    classes = [item["class"] for item in record["failures"]]
    if classes:
        summary = ", ".join(f"{classes.count(c)} {c}" for c in ("new", "known", "flaky"))
        state.console.info(f"[baseline] {summary} (--fail-on {options.fail_on})")


def exit_code(results: list[SuiteResult], baseline: dict[str, Any] | None = None) -> ExitCode:
    """1 failures (those --fail-on counts), else 3 when unreachable, else 0; from the results."""
    counted = [r for r in results if not r.metadata.get("not_run")]
    failed = any(r.failed for r in counted if not r.metadata.get("unreachable"))
    tolerated = bool(baseline and baseline.get("failures")) and not fails_run(baseline or {})
    if failed and not tolerated:
        return ExitCode.FAILED
    if any(r.metadata.get("unreachable") for r in counted):
        return ExitCode.UNREACHABLE
    return ExitCode.OK


def show_outcome(state: RunState, code: ExitCode) -> None:
    """The result on stdout (text or JSON) and the exit line on stderr."""
    report = load_report(state.store.directory)
    if state.options.format == "json":
        state.console.print_json({"verdict": report.verdict, "reason": report.verdict_reason,
                                  "exit_code": int(code), "counts": report.counts(),
                                  "output": str(state.store.directory)})
    else:
        state.console.print(f"{report.outcome_text()} (reports in {state.store.directory})")
    state.console.info(f"[exit] {int(code)} ({code.name.lower()})")
