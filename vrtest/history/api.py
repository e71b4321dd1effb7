"""What other parts call: classify a run's failures, suite durations for shard balancing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vrtest.history.baseline import (
    DEFAULT_POLICY,
    BaselinePolicy,
    Classification,
    FailureClass,
    classify,
)
from vrtest.history.importer import suite_rows
from vrtest.history.store import existing_store
from vrtest.results import SuiteResult

JUNIT_PROPERTY = "vrtest.baseline"  # junit.xml property carrying new | known | flaky


def failing_tests(suites: Sequence[SuiteResult]) -> list[str]:
    """Keys of the failed or errored tests in ``suites`` (suite errors count as one)."""
    return [
        row.key for suite in suites for row in suite_rows(suite)
        if row.outcome in ("failed", "error")
    ]


def classify_results(
    suites: Sequence[SuiteResult],
    env: str,
    *,
    history: Path | str | None = None,
    policy: BaselinePolicy = DEFAULT_POLICY,
) -> list[Classification]:
    """Classify every failure of a run against main's history in ``env`` (none: all new)."""
    failures = failing_tests(suites)
    if not failures:
        return []
    with existing_store(history) as store:
        baseline = (store.baseline(env, failures, kinds=policy.kinds, last=policy.last)
                    if store else {})
    return classify(failures, baseline, env, policy)


def suite_durations(
    env: str, *, history: Path | str | None = None, last: int = 10
) -> dict[str, float]:
    """Mean recent duration per suite name in ``env`` ({} without history): for ``--shard``."""
    with existing_store(history) as store:
        return store.suite_durations(env, last=last) if store else {}


def likely_failures_first(
    suites: Sequence[str], env: str, *, history: Path | str | None = None, last: int = 10
) -> list[str]:
    """``suites`` reordered: those that failed most in ``env``'s recent runs first (stable)."""
    with existing_store(history) as store:
        rates = store.suite_failure_rates(env, last=last) if store else {}
    return sorted(suites, key=lambda name: -rates.get(name, 0.0))


def baseline_markdown(classifications: Sequence[Classification], fail_on: str) -> str:
    """The summary.md section: failures grouped by class, and the exit-code policy used."""
    policy = (
        "any failure fails the run" if fail_on == "any"
        else "only new failures fail the run; known and flaky ones are reported"
    )
    lines = ["### Failures against main's baseline", "",
             f"Policy: `--fail-on {fail_on}`: {policy}.", ""]
    if not classifications:
        return "\n".join([*lines, "No failures."]) + "\n"
    for failure_class in FailureClass:
        group = [c for c in classifications if c.failure_class is failure_class]
        lines.extend([f"#### {failure_class.value} ({len(group)})", ""])
        lines.extend(f"- `{_code(c.test)}`: {_text(c.reason)}" for c in group)
        lines.append("" if group else "none\n")
    return "\n".join(lines).rstrip() + "\n"


def _code(text: str) -> str:
    """Text safe inside a Markdown code span (no backticks, one line)."""
    return " ".join(text.replace("`", "'").split())


def _text(text: str) -> str:
    """Text safe as Markdown prose: markup characters escaped, one line."""
    out = " ".join(text.split())
    for char in "\\`*_[]<>|#!":
        out = out.replace(char, "\\" + char)
    return out
