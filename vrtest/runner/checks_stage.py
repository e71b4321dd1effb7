"""Stage: VR checks through the checks part; recorded as NOT RUN (with why) when they cannot run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from vrtest.errors import UnreachableError
from vrtest.results import Outcome, SuiteResult, TestResult
from vrtest.runner.settings import RunSettings

CHECKS_SUITE = "vr-checks"
CheckRunner = Callable[..., SuiteResult]  # (settings, names[, routers=names]) -> SuiteResult


def not_run(names: Sequence[str], reason: str) -> SuiteResult:
    """A checks result in which every selected check is NOT RUN for ``reason``."""
    tests = tuple(TestResult(name=n, classname=CHECKS_SUITE, outcome=Outcome.NOT_RUN,
                             message=reason) for n in names)
    return SuiteResult(name=CHECKS_SUITE, kind="checks", tests=tests,
                       started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def default_check_runner(settings: RunSettings, names: Sequence[str],
                         routers: Sequence[str] = ()) -> SuiteResult:
    """Discover the environment's routers (only ``routers`` when given) and run ``names``."""
    from vrtest.checks import run_checks

    return run_checks(settings.source, list(names), **_router_filter(routers))


def unreachable(names: Sequence[str], error: UnreachableError) -> SuiteResult:
    """The checks could not start (API or hop unreachable): an infrastructure error."""
    return SuiteResult(name=CHECKS_SUITE, kind="checks", error=f"unreachable: {error.one_line()}",
                       started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       metadata={"unreachable": "true", "checks": ",".join(names)})


def _router_filter(routers: Sequence[str]) -> dict[str, object]:
    """``filters=RouterFilter(names=...)`` for run_checks when the run is scoped to routers."""
    if not routers:
        return {}
    from vrtest.cloudstack.discovery import RouterFilter

    return {"filters": RouterFilter(names=tuple(routers))}


def run_check_stage(settings: RunSettings, names: Sequence[str],
                    runner: CheckRunner, routers: Sequence[str] = ()) -> SuiteResult:
    """The checks' SuiteResult, or NOT RUN when the environment has no real routers."""
    if not settings.real_vrs:
        return not_run(names, f"environment {settings.name!r} has no real virtual routers")
    clock = time.monotonic()
    try:
        result = runner(settings, names, routers=routers) if routers else runner(settings, names)
    except UnreachableError as exc:
        return unreachable(names, exc)
    if result.duration:
        return result
    return SuiteResult(name=result.name, kind=result.kind, tests=result.tests,
                       duration=time.monotonic() - clock, error=result.error,
                       log_tail=result.log_tail, command=result.command,
                       started=result.started, metadata=result.metadata)
