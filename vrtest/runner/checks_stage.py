"""Stage: VR checks through the checks part; an unreachable API or hop is an error record."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from vrtest.checks import run_checks
from vrtest.cloudstack.discovery import RouterFilter
from vrtest.environment import Environment
from vrtest.errors import UnreachableError
from vrtest.results import SuiteResult

CHECKS_SUITE = "vr-checks"


def unreachable(names: Sequence[str], error: UnreachableError) -> SuiteResult:
    """The checks could not start (API or hop unreachable): an infrastructure error."""
    return SuiteResult(name=CHECKS_SUITE, kind="checks", error=f"unreachable: {error.one_line()}",
                       started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       metadata={"unreachable": "true", "checks": ",".join(names)})


def run_check_stage(env: Environment, names: Sequence[str],
                    routers: Sequence[str] = ()) -> SuiteResult:
    """The checks' SuiteResult (NOT RUN with why when ``env`` has no real routers).

    ``routers`` scopes the run to those router names (a matrix cell's kind).
    """
    filters = RouterFilter(names=tuple(routers)) if routers else None
    clock = time.monotonic()
    try:
        result = run_checks(env, list(names), filters=filters)
    except UnreachableError as exc:
        return unreachable(names, exc)
    if result.duration:
        return result
    return dataclasses.replace(result, duration=time.monotonic() - clock)
