"""The runner's hook: classify a finished run's failures and keep the verdict in run.json.

``vrtest run`` calls :func:`baseline_record` once its suites and checks are recorded, stores the
returned dict as ``run.json["baseline"]``, and derives its exit code with :func:`fails_run`.
Reports read it back with :func:`classes_by_test` (junit.xml property) and
:func:`summary_chunks` (summary.md), so regenerated reports keep the classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vrtest.history.api import baseline_markdown, classify_results
from vrtest.history.baseline import (
    DEFAULT_POLICY,
    BaselinePolicy,
    Classification,
    FailureClass,
    should_fail,
)
from vrtest.history.importer import SUITE_ERROR_TEST
from vrtest.history.records import test_key
from vrtest.history.store import default_history_path
from vrtest.results import SuiteResult

BASELINE_KEY = "baseline"


def baseline_record(
    results: Sequence[SuiteResult],
    env: str,
    *,
    fail_on: str = "new",
    history: Path | str | None = None,
    policy: BaselinePolicy = DEFAULT_POLICY,
) -> dict[str, Any]:
    """Classify ``results``' failures against main in ``env``; JSON for run.json."""
    path = Path(history) if history else default_history_path()
    classes = classify_results(results, env, history=path, policy=policy)
    return {
        "fail_on": fail_on,
        "env": env,
        "history": str(path) if path.exists() else "",
        "window": policy.last,
        "flaky_threshold": policy.flaky_threshold,
        "failures": [item.to_dict() for item in classes],
    }


def _classifications(record: Mapping[str, Any]) -> list[Classification]:
    return [
        Classification(
            test=str(item["test"]), failure_class=FailureClass(item["class"]),
            reason=str(item.get("reason", "")), since=str(item.get("since", "")),
            first_failing_commit=str(item.get("first_failing_commit", "")),
            flips=int(item.get("flips", 0)), window=int(item.get("window", 0)),
        )
        for item in record.get("failures", [])
    ]


def fails_run(record: Mapping[str, Any]) -> bool:
    """Whether the run's failures make it red under its ``--fail-on`` policy."""
    return should_fail(_classifications(record), str(record.get("fail_on", "new")))


def row_key(suite: str, classname: str, name: str) -> str:
    """The history key of a report row (a whole-suite error row has no class)."""
    return test_key(suite, "" if name == SUITE_ERROR_TEST else classname, name)


def classes_by_test(meta: Mapping[str, Any]) -> dict[str, str]:
    """Test key -> new | known | flaky, from run.json (empty when not classified)."""
    record = meta.get(BASELINE_KEY) or {}
    return {str(item["test"]): str(item["class"]) for item in record.get("failures", [])}


def summary_chunks(meta: Mapping[str, Any]) -> list[str]:
    """The summary.md section grouping failures by class and stating the policy."""
    record = meta.get(BASELINE_KEY)
    if not record:
        return []
    text = baseline_markdown(_classifications(record), str(record.get("fail_on", "new")))
    if not record.get("history"):
        text += "\n_No history database: every failure counts as new._\n"
    return [text]
