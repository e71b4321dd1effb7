"""Test helper: write real run directories (run.json + results.jsonl) for history tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vrtest.results import Outcome, SuiteResult, TestResult


def write_run(
    directory: Path,
    outcomes: Mapping[str, str],
    *,
    env: str = "lab-kvm",
    started: str = "2026-11-01T02:00:00Z",
    commit: str = "c0ffee",
    suite_durations: Mapping[str, float] | None = None,
    **meta: Any,
) -> Path:
    """A run dir; ``outcomes`` maps ``suite::test`` to an outcome value (``flaky`` gets reruns)."""
    directory.mkdir(parents=True, exist_ok=True)
    suites: dict[str, list[TestResult]] = {}
    for key, outcome in outcomes.items():
        suite, name = key.split("::", 1)
        reruns = ("AssertionError: first attempt",) if outcome == "flaky" else ()
        suites.setdefault(suite, []).append(
            TestResult(name=name, classname="", outcome=Outcome(outcome), duration=1.5,
                       message="boom" if outcome in ("failed", "error") else "", reruns=reruns)
        )
    durations = suite_durations or {}
    lines = [
        json.dumps(SuiteResult(name=suite, kind="marvin", tests=tuple(tests),
                               duration=durations.get(suite, 10.0), started=started).to_dict())
        for suite, tests in suites.items()
    ]
    (directory / "results.jsonl").write_text("".join(line + "\n" for line in lines))
    run = {"env": env, "hypervisor": "kvm", "commit": commit, "started": started,
           "finished": started, "argv": ["vrtest", "run"], **meta}
    (directory / "run.json").write_text(json.dumps(run))
    return directory


def night(day: int) -> str:
    """A nightly start time on day ``day`` of November 2026."""
    return f"2026-11-{day:02d}T02:00:00Z"
