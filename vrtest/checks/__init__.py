"""VR checks: each is commands + a pure parser + a verdict with evidence (see registry.py).

``run_checks(env, checks=None, ...) -> SuiteResult`` is the entry point other parts use.
"""

from __future__ import annotations

from typing import Any

from vrtest.results import SuiteResult


def run_checks(env: Any, checks: Any = None, **options: Any) -> SuiteResult:
    """Run VR checks on ``env``'s routers (see :func:`vrtest.checks.session.run_checks`)."""
    from vrtest.checks.session import run_checks as run

    return run(env, checks, **options)
