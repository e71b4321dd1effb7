"""VR checks: each is commands + a pure parser + a verdict with evidence (see registry.py).

``run_checks(env, checks=None, ...) -> SuiteResult`` is the entry point other parts use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vrtest.results import SuiteResult

if TYPE_CHECKING:
    from vrtest.environment import Environment


def run_checks(env: Environment, checks: Sequence[str] | None = None,
               **options: Any) -> SuiteResult:
    """Run VR checks on ``env``'s routers (see :func:`vrtest.checks.session.run_checks`)."""
    from vrtest.checks.session import run_checks as run

    return run(env, checks, **options)
