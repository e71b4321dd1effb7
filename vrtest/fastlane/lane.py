"""The fast lane as one call: trees in, one ``SuiteResult(kind="fastlane")`` per scenario out.

``run_fastlane`` runs each scenario against the PR's tree (and, in differential mode, against
the base tree too) with ``jobs`` scenarios at a time, and reports each result as it finishes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from vrtest.console import Console
from vrtest.fastlane.ns import sweep
from vrtest.fastlane.runner import (
    ScenarioRun,
    Workspace,
    run_scenario,
    to_suite_result,
)
from vrtest.fastlane.sandbox import close_all
from vrtest.fastlane.scenario import Scenario
from vrtest.fastlane.state import diff_states
from vrtest.results import SuiteResult


@dataclass(frozen=True)
class LaneRequest:
    """What to run: scenarios against the PR tree, optionally against a base tree too."""

    scenarios: tuple[Scenario, ...]
    tree: Path
    base_tree: Path | None = None
    jobs: int = 2


def run_fastlane(request: LaneRequest, ws: Workspace, console: Console,
                 on_result: Callable[[SuiteResult], None] | None = None) -> list[SuiteResult]:
    """Run every scenario (sandboxes removed after each, also on error or signal)."""
    sweep(ws.run_dir.parent)
    results: list[SuiteResult] = []
    lock = threading.Lock()

    def finish(result: SuiteResult) -> None:
        with lock:
            results.append(result)
            _report(console, result)
            if on_result:
                on_result(result)

    tasks = [(f"s{i}", s) for i, s in enumerate(request.scenarios)]
    with ThreadPoolExecutor(max_workers=max(1, request.jobs)) as pool:
        pending: set[Future[SuiteResult]] = {
            pool.submit(_one, request, ws, tag, scenario) for tag, scenario in tasks}
        try:
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    finish(future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            close_all()  # kills the sandboxes, so running workers return at once
            raise
    with contextlib.suppress(OSError):
        ws.run_dir.rmdir()  # empty once every scenario's sandboxes are gone
    order = {f"fastlane/{s.name}": i for i, s in enumerate(request.scenarios)}
    return sorted(results, key=lambda r: order.get(r.name, 0))


def _one(request: LaneRequest, ws: Workspace, tag: str, scenario: Scenario) -> SuiteResult:
    pr = run_scenario(scenario, request.tree, ws, tag=f"{tag}p")
    if request.base_tree is None:
        return to_suite_result(pr)
    base = run_scenario(scenario, request.base_tree, ws, tag=f"{tag}b")
    return to_suite_result(pr, changes=scenario_changes(base, pr))


def scenario_changes(base: ScenarioRun, pr: ScenarioRun) -> list[str]:
    """State lines the PR changed, per router, in readable form."""
    if base.error or pr.error:
        return [f"scenario {pr.scenario.name}: not compared ({base.error or pr.error})"]
    many = len(pr.states) > 1
    lines: list[str] = []
    for name, state in pr.states.items():
        if name in base.states:
            lines += diff_states(pr.scenario.name, base.states[name], state, name_router=many)
    return lines


def _report(console: Console, result: SuiteResult) -> None:
    counts = result.counts()
    verdict = "ERROR" if result.error else "FAIL" if result.failed else "ok"
    console.info(f"{result.name}: {verdict} ({counts['passed']} passed, {counts['failed']} failed"
                 f", {result.duration:.1f}s){' ' + result.error if result.error else ''}")
