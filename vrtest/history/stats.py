"""Pure statistics over a test's history: flips, flake rate, durations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vrtest.history.records import TestPoint


def flip_flags(points: Sequence[TestPoint]) -> list[bool]:
    """Per verdict point (newest first): flaky itself, or pass/fail differs from the run before."""
    verdicts = [point for point in points if point.is_verdict]
    flags = []
    for index, point in enumerate(verdicts):
        older = verdicts[index + 1] if index + 1 < len(verdicts) else None
        changed = older is not None and older.is_failure != point.is_failure
        flags.append(point.flaky or point.outcome == "flaky" or changed)
    return flags


@dataclass(frozen=True)
class FlakeStats:
    """How one test behaved over its newest runs."""

    test: str
    runs: int  # runs with a verdict (passed, flaky, failed, error)
    passed: int
    failed: int
    flaky: int  # failed first, then passed on a rerun
    flips: int  # runs that were flaky or changed pass/fail from the run before
    rate: float  # flips / runs
    mean_duration: float
    last_outcome: str
    last_started: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "test": self.test, "runs": self.runs, "passed": self.passed, "failed": self.failed,
            "flaky": self.flaky, "flips": self.flips, "flake_rate": round(self.rate, 4),
            "mean_duration": round(self.mean_duration, 3), "last_outcome": self.last_outcome,
            "last_started": self.last_started,
        }


def flake_stats(test: str, points: Sequence[TestPoint]) -> FlakeStats:
    """Summarise ``points`` (newest first) for one test."""
    verdicts = [point for point in points if point.is_verdict]
    flips = sum(flip_flags(verdicts))
    timed = [point.duration for point in verdicts]
    return FlakeStats(
        test=test,
        runs=len(verdicts),
        passed=sum(1 for p in verdicts if p.outcome == "passed" and not p.flaky),
        failed=sum(1 for p in verdicts if p.is_failure),
        flaky=sum(1 for p in verdicts if p.outcome == "flaky" or (p.flaky and not p.is_failure)),
        flips=flips,
        rate=flips / len(verdicts) if verdicts else 0.0,
        mean_duration=sum(timed) / len(timed) if timed else 0.0,
        last_outcome=points[0].outcome if points else "",
        last_started=points[0].started if points else "",
    )
