"""Run history: an embedded store of every run, flake rates, durations, baseline classes."""

from vrtest.history.api import (
    JUNIT_PROPERTY,
    baseline_markdown,
    classify_results,
    failing_tests,
    likely_failures_first,
    suite_durations,
)
from vrtest.history.baseline import (
    FAIL_ON_CHOICES,
    BaselinePolicy,
    Classification,
    FailureClass,
    classify,
    should_fail,
)
from vrtest.history.store import HistoryStore, default_history_path, open_store

__all__ = [
    "FAIL_ON_CHOICES",
    "JUNIT_PROPERTY",
    "BaselinePolicy",
    "Classification",
    "FailureClass",
    "HistoryStore",
    "baseline_markdown",
    "classify",
    "classify_results",
    "default_history_path",
    "failing_tests",
    "likely_failures_first",
    "open_store",
    "should_fail",
    "suite_durations",
]
