"""What the history store holds: one :class:`RunRecord` per imported run, flattened for queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Lanes of history: main and nightly runs are the baseline a PR run is judged against.
RUN_KINDS = ("main", "pr", "nightly")
BASELINE_KINDS = ("main", "nightly")


def test_key(suite: str, classname: str, name: str) -> str:
    """The stable identity of one test across runs, shaped like a pytest node id."""
    parts = [suite, classname, name] if classname else [suite, name]
    return "::".join(parts)


@dataclass(frozen=True)
class TestRow:
    """One test (or check) outcome inside a run."""

    __test__ = False  # not a pytest test class

    suite: str
    suite_kind: str
    classname: str
    name: str
    outcome: str
    duration: float = 0.0
    reruns: int = 0
    flaky: bool = False
    evidence_digest: str = ""
    message: str = ""

    @property
    def key(self) -> str:
        """See :func:`test_key`."""
        return test_key(self.suite, self.classname, self.name)


@dataclass(frozen=True)
class SuiteRow:
    """One suite's totals inside a run (durations feed shard balancing)."""

    name: str
    kind: str
    duration: float
    error: str = ""


@dataclass(frozen=True)
class RunRecord:
    """One run (a `vrtest run` output directory, or one matrix cell) ready to store."""

    run_id: str
    env: str
    kind: str  # main | pr | nightly
    started: str  # ISO 8601 UTC, normalised: YYYY-MM-DDTHH:MM:SSZ
    finished: str = ""
    hypervisor: str = ""
    commit: str = ""
    pr: int | None = None
    branch: str = ""
    title: str = ""
    cell: str = ""
    plan: str = ""
    source: str = ""  # the directory it was imported from
    digest: str = ""  # content digest: re-importing identical content is a no-op
    suites: tuple[SuiteRow, ...] = ()
    tests: tuple[TestRow, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """Tests per outcome value."""
        counts: dict[str, int] = {}
        for test in self.tests:
            counts[test.outcome] = counts.get(test.outcome, 0) + 1
        return counts


@dataclass(frozen=True)
class RunSummary:
    """A stored run without its tests: what listings and trends show."""

    run_id: str
    env: str
    kind: str
    started: str
    commit: str
    pr: int | None
    branch: str
    cell: str
    plan: str
    counts: dict[str, int]

    @property
    def failed(self) -> int:
        """Failed plus errored tests."""
        return self.counts.get("failed", 0) + self.counts.get("error", 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run_id": self.run_id, "env": self.env, "kind": self.kind, "started": self.started,
            "commit": self.commit, "pr": self.pr, "branch": self.branch, "cell": self.cell,
            "plan": self.plan, "counts": dict(self.counts),
        }


@dataclass(frozen=True)
class TestPoint:
    """One past outcome of one test: a point in its history, newest first in lists."""

    __test__ = False

    run_id: str
    started: str
    commit: str
    outcome: str
    duration: float
    flaky: bool
    reruns: int

    @property
    def is_failure(self) -> bool:
        """Failed or errored (a flaky pass is not a failure)."""
        return self.outcome in ("failed", "error")

    @property
    def is_verdict(self) -> bool:
        """Passed, flaky or failed: outcomes that say something about the code."""
        return self.outcome in ("passed", "flaky", "failed", "error")
