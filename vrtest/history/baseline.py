"""New, known or flaky: judge a PR run's failures against main's recorded history (pure)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vrtest.history.records import BASELINE_KINDS, TestPoint
from vrtest.history.stats import flip_flags


class FailureClass(str, enum.Enum):
    """What a PR failure most likely is."""

    NEW = "new"  # main passes it: the PR probably broke it
    KNOWN = "known"  # main already fails it
    FLAKY = "flaky"  # it flips on main


FAIL_ON_CHOICES = ("new", "any")


@dataclass(frozen=True)
class BaselinePolicy:
    """How much of main's history to look at and when a test counts as flaky."""

    last: int = 10  # newest main/nightly runs per test in the same environment
    flaky_threshold: int = 2  # flipped runs among them that make a test flaky
    kinds: tuple[str, ...] = BASELINE_KINDS


DEFAULT_POLICY = BaselinePolicy()


@dataclass(frozen=True)
class Classification:
    """One PR failure and its class, with the evidence from history."""

    test: str
    failure_class: FailureClass
    reason: str
    since: str = ""  # known: when main started failing it
    first_failing_commit: str = ""  # known: main's first failing commit of the current streak
    flips: int = 0
    window: int = 0  # main runs looked at

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "test": self.test, "class": self.failure_class.value, "reason": self.reason,
            "since": self.since, "first_failing_commit": self.first_failing_commit,
            "flips": self.flips, "window": self.window,
        }


def classify_failure(
    test: str, points: Sequence[TestPoint], env: str, policy: BaselinePolicy = DEFAULT_POLICY
) -> Classification:
    """Classify one failing test from its main history in ``env`` (newest first)."""
    verdicts = [point for point in points if point.is_verdict][: policy.last]
    if not verdicts:
        return Classification(test, FailureClass.NEW, f"no result on main in {env} yet")
    flips = sum(flip_flags(verdicts))
    window = len(verdicts)
    if flips >= policy.flaky_threshold:
        reason = f"flipped in {flips} of main's last {window} runs in {env}"
        return Classification(test, FailureClass.FLAKY, reason, flips=flips, window=window)
    if verdicts[0].is_failure:
        streak = _failing_streak(verdicts)
        first = streak[-1]
        commit = first.commit[:12] or "unknown commit"
        reason = f"failing on main in {env} since {first.started} ({commit}), {len(streak)} runs"
        return Classification(test, FailureClass.KNOWN, reason, since=first.started,
                              first_failing_commit=first.commit, flips=flips, window=window)
    passing = len(_passing_streak(verdicts))
    reason = f"passed on main's last {passing} run{'s' if passing != 1 else ''} in {env}"
    return Classification(test, FailureClass.NEW, reason, flips=flips, window=window)


def classify(
    failures: Iterable[str],
    history: Mapping[str, Sequence[TestPoint]],
    env: str,
    policy: BaselinePolicy = DEFAULT_POLICY,
) -> list[Classification]:
    """Classify each failing test key against ``history`` (key -> main points, newest first)."""
    return [classify_failure(key, history.get(key, ()), env, policy) for key in failures]


def should_fail(classifications: Iterable[Classification], fail_on: str) -> bool:
    """Whether the run is red under ``--fail-on``: any failure, or only new ones."""
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {FAIL_ON_CHOICES}, not {fail_on!r}")
    items = list(classifications)
    if fail_on == "any":
        return bool(items)
    return any(item.failure_class is FailureClass.NEW for item in items)


def _failing_streak(verdicts: Sequence[TestPoint]) -> list[TestPoint]:
    streak = []
    for point in verdicts:
        if not point.is_failure:
            break
        streak.append(point)
    return streak


def _passing_streak(verdicts: Sequence[TestPoint]) -> list[TestPoint]:
    streak = []
    for point in verdicts:
        if point.is_failure:
            break
        streak.append(point)
    return streak
