"""A narrowed suite must answer for every test it was narrowed to.

Runs are narrowed by class plus a method pattern (see ``vrtest.marvin_bridge.narrow``), so a
selected method that no longer exists (renamed, removed) or that the ``-a`` filter drops
simply does not run: without this it would vanish from the report instead of being an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vrtest.marvin_bridge.narrow import method_pattern
from vrtest.results import Outcome, TestResult
from vrtest.runner.xunit import is_context_error


def unanswered(requested: Sequence[str], tests: Sequence[TestResult]) -> list[str]:
    """``Class.method`` names with no testcase (ddt expansions count) and no class error."""
    missing = []
    for name in requested:
        cls, _, method = name.partition(".")
        if not method:
            continue  # a whole class was asked for
        pattern = method_pattern([method])
        ours = [t for t in tests if t.classname.rsplit(".", 1)[-1] == cls]
        if not any(is_context_error(t) or re.match(pattern, t.name) for t in ours):
            missing.append(name)
    return missing


def missing_results(requested: Sequence[str], tests: Sequence[TestResult], suite: str,
                    attr: str) -> list[TestResult]:
    """One ERROR per selected test the suite process did not run."""
    return [
        TestResult(name=name.partition(".")[2], classname=name.partition(".")[0],
                   outcome=Outcome.ERROR,
                   message=f"selected, but {suite} ran no test {name}: renamed or removed "
                           f"upstream, or dropped by the -a filter ({attr})")
        for name in unanswered(requested, tests)
    ]
