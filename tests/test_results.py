"""Result records survive a JSON round trip and count outcomes correctly."""

from __future__ import annotations

import json

from vrtest.results import Evidence, Outcome, SuiteResult, TestResult


def test_suite_result_round_trips_through_json() -> None:
    suite = SuiteResult(
        name="vr-checks",
        kind="checks",
        tests=(
            TestResult("default-route[r-4-VM]", "vr.default-route", Outcome.FAILED, 0.2,
                       message="no default route", evidence=(Evidence("ip route", "x", "r-4-VM"),)),
            TestResult("iptables-policy[r-4-VM]", "vr.iptables-policy", Outcome.PASSED),
            TestResult("t", "c", Outcome.FLAKY, reruns=("AssertionError",)),
        ),
        metadata={"env": "local"},
    )
    again = SuiteResult.from_dict(json.loads(json.dumps(suite.to_dict())))
    assert again == suite
    assert again.failed
    assert again.counts()["failed"] == 1 and again.counts()["flaky"] == 1


def test_suite_with_only_passes_and_flakes_is_not_failed() -> None:
    suite = SuiteResult("s", "marvin", tests=(TestResult("a", "c", Outcome.FLAKY),))
    assert not suite.failed
    assert SuiteResult("s", "marvin", error="timed out after 30 s").failed
