"""Baseline classification (pure) and flake statistics."""

from __future__ import annotations

import pytest

from vrtest.history.baseline import (
    BaselinePolicy,
    FailureClass,
    classify,
    classify_failure,
    should_fail,
)
from vrtest.history.records import TestPoint
from vrtest.history.stats import flake_stats, flip_flags


def points(outcomes: str) -> list[TestPoint]:
    """Newest first: P passed, F failed, E error, K flaky, S skipped."""
    names = {"P": "passed", "F": "failed", "E": "error", "K": "flaky", "S": "skipped"}
    count = len(outcomes)
    return [
        TestPoint(run_id=f"r{count - i}", started=f"2026-11-{count - i:02d}T02:00:00Z",
                  commit=f"commit{count - i}", outcome=names[c], duration=2.0,
                  flaky=c == "K", reruns=int(c == "K"))
        for i, c in enumerate(outcomes)
    ]


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ("PPPPP", FailureClass.NEW),
        ("", FailureClass.NEW),
        ("SSS", FailureClass.NEW),  # skipped says nothing about the code
        ("FFFPP", FailureClass.KNOWN),
        ("EEEEE", FailureClass.KNOWN),
        ("FPFPP", FailureClass.FLAKY),
        ("PKPKP", FailureClass.FLAKY),
        ("PFPPP", FailureClass.FLAKY),  # two flips: failed once, recovered
        ("PPPFP", FailureClass.FLAKY),
        ("PPPPF", FailureClass.NEW),  # one old flip is below the threshold
    ],
)
def test_classification_table(history: str, expected: FailureClass) -> None:
    assert classify_failure("s.py::t", points(history), "lab-kvm").failure_class is expected


def test_known_names_when_and_which_commit_main_started_failing() -> None:
    result = classify_failure("s.py::t", points("FFFPPP"), "lab-kvm")
    assert result.since == "2026-11-04T02:00:00Z"
    assert result.first_failing_commit == "commit4"
    assert "since 2026-11-04T02:00:00Z (commit4), 3 runs" in result.reason


def test_window_and_threshold_are_policy() -> None:
    history = points("PPPPPPPPPPFPFPFP")  # flips only beyond the 10-run window
    assert classify_failure("t", history, "e").failure_class is FailureClass.NEW
    wide = BaselinePolicy(last=16)
    assert classify_failure("t", history, "e", wide).failure_class is FailureClass.FLAKY
    strict = BaselinePolicy(flaky_threshold=5)
    assert classify_failure("t", points("FPFPP"), "e", strict).failure_class is FailureClass.KNOWN


def test_classify_uses_each_tests_own_history() -> None:
    history = {"a": points("FFF"), "b": points("PPP"), "c": points("FPFP")}
    classes = [c.failure_class.value for c in classify(["a", "b", "c", "d"], history, "e")]
    assert classes == ["known", "new", "flaky", "new"]


def test_fail_on_policy() -> None:
    history = {"a": points("FFF"), "c": points("FPFP")}
    known_and_flaky = classify(["a", "c"], history, "e")
    assert not should_fail(known_and_flaky, "new")
    assert should_fail(known_and_flaky, "any")
    with_new = classify(["a", "b"], history, "e")
    assert should_fail(with_new, "new")
    assert not should_fail([], "any")
    with pytest.raises(ValueError):
        should_fail([], "sometimes")


def test_flip_flags_and_flake_rate() -> None:
    assert flip_flags(points("PFPPK")) == [True, True, False, False, True]
    result = flake_stats("t", points("PFPPK"))
    assert (result.runs, result.failed, result.flaky, result.flips) == (5, 1, 1, 3)
    assert result.rate == pytest.approx(0.6)
    assert result.mean_duration == pytest.approx(2.0)
    assert flake_stats("t", []).rate == 0.0
