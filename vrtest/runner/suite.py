"""Run one Marvin suite as one process, then rerun its failed tests up to N times (flaky)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from vrtest.environment import MarvinSettings
from vrtest.results import Outcome, SuiteResult, TestResult
from vrtest.runner.bridge_path import install_bridge
from vrtest.runner.marvin_command import (
    LOG_FOLDER,
    attr_expression,
    build_invocation,
    qualified_tests,
)
from vrtest.runner.marvin_log import init_failure, log_folders
from vrtest.runner.narrowed import missing_results
from vrtest.runner.plan import PlannedSuite
from vrtest.runner.process import ChildRegistry, ProcessOutcome, run_process
from vrtest.runner.store import mask_file, mask_tree
from vrtest.runner.xunit import is_context_error, parse_report, rerun_id


@dataclass(frozen=True)
class SuiteContext:
    """What every suite run shares."""

    settings: MarvinSettings
    checkout: Path
    run_dir: Path
    config: Path
    timeout: float
    reruns: int
    registry: ChildRegistry


def run_suite(suite: PlannedSuite, ctx: SuiteContext) -> SuiteResult | None:
    """Run ``suite``; None when the run was interrupted before it finished."""
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    clock = time.monotonic()
    if ctx.settings.runner == "pytest":
        install_bridge(ctx.run_dir)
    invocation = build_invocation(ctx.settings, ctx.checkout, ctx.run_dir, ctx.config,
                                  suite.path, suite.tests)
    log = invocation.report_file.with_suffix(".log")
    outcome = run_process(invocation.argv, cwd=invocation.cwd, env=invocation.env, log=log,
                          timeout=ctx.timeout, registry=ctx.registry)
    mask_file(log)
    mask_marvin_logs(log, ctx.run_dir / LOG_FOLDER)
    if ctx.registry.stopping:
        return None
    base = SuiteResult(name=suite.path, kind="marvin", command=invocation.argv, started=started,
                       metadata={"runner": ctx.settings.runner, "log": str(log)})
    tests, error = _read_attempt(invocation.report_file, outcome, ctx.timeout, log)
    for attempt in range(1, ctx.reruns + 1):
        if error or not any(t.outcome.is_failure for t in tests):
            break
        tests = _rerun(suite, tests, attempt, ctx)
        if ctx.registry.stopping:
            return None
    if not error and suite.tests:
        requested = qualified_tests(ctx.checkout, suite.path, suite.tests)
        tests += missing_results(requested, tests, suite.path, attr_expression(ctx.settings))
    return dataclasses.replace(base, tests=tuple(tests), error=error,
                               log_tail=outcome.log_tail if error else "",
                               duration=time.monotonic() - clock)


def _read_attempt(report: Path, outcome: ProcessOutcome, timeout: float, log: Path
                  ) -> tuple[list[TestResult], str]:
    if outcome.start_error:
        return [], outcome.start_error
    if outcome.timed_out:
        return [], f"timed out after {timeout:g}s; the process group was killed"
    try:
        tests = parse_report(report)
    except ValueError as exc:
        why = init_failure(log)
        if why:
            return [], f"{why}; exited with code {outcome.returncode}"
        return [], f"exited with code {outcome.returncode} and {exc}"
    if not tests and outcome.returncode not in (0, None):
        return [], f"exited with code {outcome.returncode} and ran no tests"
    return tests, ""


def _rerun(suite: PlannedSuite, tests: list[TestResult], attempt: int,
           ctx: SuiteContext) -> list[TestResult]:
    """Rerun the failed tests only; merge: pass-on-rerun = flaky, fail again = rerun failure."""
    failing = [t for t in tests if t.outcome.is_failure]
    ids = sorted({rerun_id(t) for t in failing})
    invocation = build_invocation(ctx.settings, ctx.checkout, ctx.run_dir, ctx.config,
                                  suite.path, ids, attempt)
    log = invocation.report_file.with_suffix(".log")
    outcome = run_process(invocation.argv, cwd=invocation.cwd, env=invocation.env, log=log,
                          timeout=ctx.timeout, registry=ctx.registry)
    mask_file(log)
    mask_marvin_logs(log, ctx.run_dir / LOG_FOLDER)
    again, error = _read_attempt(invocation.report_file, outcome, ctx.timeout, log)
    return merge_rerun(tests, again, error)


def mask_marvin_logs(log: Path, root: Path) -> None:
    """Mask the Marvin log folders this suite's process named (others may still be writing)."""
    for folder in log_folders(log, root):
        mask_tree(folder)


def merge_rerun(tests: list[TestResult], again: list[TestResult], error: str) -> list[TestResult]:
    """Fold one rerun's results into the first run's."""
    by_id = {rerun_id(t): t for t in again}
    merged: list[TestResult] = []
    for test in tests:
        if not test.outcome.is_failure:
            merged.append(test)
            continue
        note = test.message or test.outcome.value
        if is_context_error(test):
            retried = [t for t in again if t.classname.rsplit(".", 1)[-1] == rerun_id(test)]
            passed = bool(retried) and not error and not any(t.outcome.is_failure for t in retried)
            newer = [t for t in retried if not is_context_error(t)] if passed else []
            merged.append(_after(test, passed, note, error))
            merged.extend(newer)
            continue
        retry = by_id.get(rerun_id(test))
        passed = retry is not None and retry.outcome in (Outcome.PASSED, Outcome.FLAKY)
        merged.append(_after(test, passed, note, error or _message(retry)))
    return merged


def _message(retry: TestResult | None) -> str:
    if retry is None:
        return "not run on rerun"
    return retry.message or retry.outcome.value


def _after(test: TestResult, passed: bool, note: str, rerun_message: str) -> TestResult:
    if passed:
        return dataclasses.replace(test, outcome=Outcome.FLAKY, reruns=(note, *test.reruns))
    return dataclasses.replace(test, reruns=(*test.reruns, rerun_message or note))
