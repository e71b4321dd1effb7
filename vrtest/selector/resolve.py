"""Resolve picked suites against the catalog (moved suites, test ids) and the environment."""

from __future__ import annotations

from typing import Any

from vrtest.selector.catalog import Catalog, SuiteInfo, TestInfo
from vrtest.selector.envfilter import (
    Capabilities,
    check_not_runnable,
    group_reasons,
    why_not_runnable,
)
from vrtest.selector.selection import CheckPick, SuitePick

Missing = dict[str, Any]


def locate(path: str, catalog: Catalog) -> tuple[SuiteInfo | None, str | None]:
    """The catalog suite for ``path`` and a warning when it was found by file name only."""
    suite = catalog.by_path.get(path)
    if suite:
        return suite, None
    candidates = sorted(catalog.by_filename.get(path.rsplit("/", 1)[-1], []),
                        key=lambda s: (not s.path.startswith("smoke/"), s.path))
    if not candidates:
        return None, None
    moved = candidates[0]
    return moved, (f"suite {path} is at {moved.path} in {catalog.label}; "
                   "resolved by file name (suites moved between component/ and smoke/)")


def resolve_suites(
    reasons: dict[str, dict[str, None]],
    narrowed: dict[str, set[str] | None],
    catalog: Catalog,
) -> tuple[list[SuitePick], list[str], list[Missing]]:
    """Suite picks with ``Class.method`` ids, plus warnings and suites the catalog lacks."""
    merged: dict[str, Merged] = {}
    warnings: list[str] = []
    missing: list[Missing] = []
    for path, why in reasons.items():
        suite, moved_note = locate(path, catalog)
        if moved_note:
            warnings.append(moved_note)
        if suite is None and not any(r.startswith("marvin-test:") for r in why):
            warnings.append(f"suite {path} is not in {catalog.label}; it cannot be run there")
            missing.append({"suite": path, "reason": f"not in {catalog.label}"})
            continue
        key = suite.path if suite else path
        merged[key] = merge_pick(merged.get(key), why, narrowed[path], suite)
    picks = [SuitePick(path, test_ids(suite, tests, warnings), tuple(why))
             for path, (why, tests, suite) in sorted(merged.items())]
    return picks, warnings, missing


Merged = tuple[dict[str, None], set[str] | None, SuiteInfo | None]


def merge_pick(previous: Merged | None, why: dict[str, None], tests: set[str] | None,
               suite: SuiteInfo | None) -> Merged:
    """Combine two picks of one suite: reasons add up; a whole-suite pick wins over names."""
    if previous is None:
        return dict(why), None if tests is None else set(tests), suite
    old_why, old_tests, _ = previous
    merged_tests = None if old_tests is None or tests is None else old_tests | tests
    return {**old_why, **why}, merged_tests, suite


def test_ids(
    suite: SuiteInfo | None, names: set[str] | None, warnings: list[str]
) -> tuple[str, ...]:
    """``Class.method`` ids of the tests to run (empty when the catalog does not know the suite)."""
    if suite is None:
        return ()
    if names is None:
        return tuple(test.id for test in suite.tests)
    chosen = tuple(test.id for test in suite.tests if test.name in names)
    unknown = sorted(names - {test.name for test in suite.tests})
    if unknown:
        warnings.append(f"{suite.path} has no test {unknown[0]}; running the whole suite")
        return tuple(test.id for test in suite.tests)
    return chosen


def apply_environment(
    suites: list[SuitePick], checks: tuple[CheckPick, ...], catalog: Catalog,
    env: Capabilities | None,
) -> tuple[tuple[SuitePick, ...], tuple[CheckPick, ...], tuple[Missing, ...]]:
    """Drop what ``env`` cannot verify; say what and why in ``not_verified``."""
    if env is None:
        return tuple(suites), checks, ()
    kept: list[SuitePick] = []
    not_verified: list[Missing] = []
    for pick in suites:
        suite = catalog.by_path.get(pick.path)
        runnable, dropped = partition(pick, suite, env)
        for reason, ids in group_reasons(dropped).items():
            not_verified.append({"suite": pick.path, "tests": ids, "reason": reason})
        if runnable or not suite:
            kept.append(SuitePick(pick.path, tuple(runnable), pick.reasons))
    kept_checks = []
    for check in checks:
        blocked = check_not_runnable(check.name, env)
        if blocked:
            not_verified.append({"check": check.name, "reason": blocked})
        else:
            kept_checks.append(check)
    return tuple(kept), tuple(kept_checks), tuple(not_verified)


def partition(pick: SuitePick, suite: SuiteInfo | None,
              env: Capabilities) -> tuple[list[str], list[tuple[str, str]]]:
    """Split a pick's tests into runnable ids and (id, reason) pairs for the dropped ones."""
    if suite is None:
        return [], []
    by_id: dict[str, TestInfo] = {test.id: test for test in suite.tests}
    runnable: list[str] = []
    dropped: list[tuple[str, str]] = []
    for test_id in pick.tests:
        reason = why_not_runnable(by_id[test_id], pick.path, env)
        if reason:
            dropped.append((test_id, reason))
        else:
            runnable.append(test_id)
    return runnable, dropped
