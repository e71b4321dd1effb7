"""Stage: run the planned Marvin suites (sequential per zone, or ``--jobs`` when parallel-safe)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from vrtest.results import SuiteResult
from vrtest.runner.plan import PlannedSuite
from vrtest.runner.suite import SuiteContext, run_suite

Report = Callable[[SuiteResult], None]


def run_suites(suites: list[PlannedSuite], ctx: SuiteContext, jobs: int, record: Report) -> None:
    """Run each suite; ``record`` is called in this thread as each one finishes."""
    if jobs <= 1:
        for suite in suites:
            result = _checked_run(suite, ctx)
            if result is not None:
                record(result)
        return
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="suite")
    try:
        pending: set[Future[SuiteResult | None]] = {
            pool.submit(_checked_run, suite, ctx) for suite in suites
        }
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                if result is not None:
                    record(result)
    except BaseException:
        ctx.registry.stop_all()  # interrupted: stop every child so the workers return
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _checked_run(suite: PlannedSuite, ctx: SuiteContext) -> SuiteResult | None:
    """A suite missing from the checkout is an error result, not a crash."""
    if ctx.registry.stopping:
        return None
    base = ctx.checkout / "test" / "integration"
    file = base / suite.path
    error = ""
    if ".." in Path(suite.path).parts or Path(suite.path).is_absolute():
        error = "suite path must stay inside test/integration"
    elif not file.is_file():
        error = f"suite not found in the CloudStack checkout {ctx.checkout}"
    if error:
        return SuiteResult(name=suite.path, kind="marvin", error=error,
                           started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return run_suite(suite, ctx)
