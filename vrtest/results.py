"""Result records shared by checks, runs, reports and history.

Every finished suite (a Marvin suite, a group of VR checks, a fast-lane scenario)
becomes one :class:`SuiteResult`, appended as one JSON line to ``results.jsonl``
the moment it finishes. Reports and the history store read only these records.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar


class Outcome(str, enum.Enum):
    """What happened to one test or check."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # could not run properly: setup error, timeout, crash, unreachable
    SKIPPED = "skipped"  # the test decided not to run (with a reason)
    FLAKY = "flaky"  # failed, then passed on a rerun: never reported as a plain pass
    NOT_RUN = "not_run"  # selected but not executed here (e.g. no management server)

    @property
    def is_failure(self) -> bool:
        """True for outcomes that make a run red."""
        return self in (Outcome.FAILED, Outcome.ERROR)


@dataclass(frozen=True)
class Evidence:
    """What was looked at: a command run on a router and (an excerpt of) its output."""

    command: str
    output: str
    target: str = ""  # e.g. the router name
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"command": self.command, "output": self.output, "target": self.target,
                "note": self.note}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Inverse of :meth:`to_dict`."""
        return cls(data["command"], data["output"], data.get("target", ""), data.get("note", ""))


@dataclass(frozen=True)
class TestResult:
    """One test method or one check on one router."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    name: str
    classname: str
    outcome: Outcome
    duration: float = 0.0
    message: str = ""
    details: str = ""
    reruns: tuple[str, ...] = ()  # failure messages of earlier attempts (flaky / rerun)
    evidence: tuple[Evidence, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "classname": self.classname,
            "outcome": self.outcome.value,
            "duration": round(self.duration, 3),
            "message": self.message,
            "details": self.details,
            "reruns": list(self.reruns),
            "evidence": [item.to_dict() for item in self.evidence],
            "properties": [list(pair) for pair in self.properties],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=data["name"],
            classname=data.get("classname", ""),
            outcome=Outcome(data["outcome"]),
            duration=float(data.get("duration", 0.0)),
            message=data.get("message", ""),
            details=data.get("details", ""),
            reruns=tuple(data.get("reruns", ())),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            properties=tuple((str(k), str(v)) for k, v in data.get("properties", ())),
        )


@dataclass(frozen=True)
class SuiteResult:
    """One finished unit of work: a Marvin suite, a VR-check group, a fast-lane scenario."""

    name: str  # e.g. "smoke/test_vpc_redundant.py" or "vr-checks" or "fastlane/vpc-2tier"
    kind: str  # "marvin" | "checks" | "fastlane"
    tests: tuple[TestResult, ...] = ()
    duration: float = 0.0
    error: str = ""  # whole-suite error: timeout, crash, not run (with the reason)
    log_tail: str = ""
    command: tuple[str, ...] = ()
    started: str = ""  # ISO 8601 UTC
    metadata: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Number of tests per outcome value."""
        counts = {outcome.value: 0 for outcome in Outcome}
        for test in self.tests:
            counts[test.outcome.value] += 1
        return counts

    @property
    def failed(self) -> bool:
        """True when the suite errored or any test failed."""
        return bool(self.error) or any(test.outcome.is_failure for test in self.tests)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (one line of results.jsonl)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "tests": [test.to_dict() for test in self.tests],
            "duration": round(self.duration, 3),
            "error": self.error,
            "log_tail": self.log_tail,
            "command": list(self.command),
            "started": self.started,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuiteResult:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=data["name"],
            kind=data["kind"],
            tests=tuple(TestResult.from_dict(t) for t in data.get("tests", ())),
            duration=float(data.get("duration", 0.0)),
            error=data.get("error", ""),
            log_tail=data.get("log_tail", ""),
            command=tuple(data.get("command", ())),
            started=data.get("started", ""),
            metadata=dict(data.get("metadata", {})),
        )
