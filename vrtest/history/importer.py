"""Read a run directory (``run.json`` + ``results.jsonl``) into a :class:`RunRecord`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vrtest.errors import ConfigError, UsageError
from vrtest.history.records import RUN_KINDS, RunRecord, SuiteRow, TestRow
from vrtest.masking import mask
from vrtest.results import Outcome, SuiteResult, TestResult
from vrtest.runner.store import read_json

RUN_FILE = "run.json"
RESULTS_FILE = "results.jsonl"
SUITE_ERROR_TEST = "(suite)"  # the test row standing for a suite that failed as a whole
_MESSAGE_LIMIT = 500
_OUTCOMES = frozenset(outcome.value for outcome in Outcome)


@dataclass(frozen=True)
class LoadedRun:
    """A run read from disk, with anything worth a warning (e.g. a truncated last line)."""

    record: RunRecord
    warnings: tuple[str, ...] = ()


def find_run_dirs(paths: Iterable[Path]) -> list[Path]:
    """Run directories at or below each path (a run dir, or a matrix/merge output dir)."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            what = "a file, not a directory" if path.exists() else "no such directory"
            raise UsageError(f"{path}: {what}", hint="pass a run or matrix output dir")
        if _is_run_dir(path):
            found.append(path)
            continue
        below = sorted({p.parent for p in path.rglob(RESULTS_FILE)
                        if _is_run_dir(p.parent) and not _is_merged(p.parent)})
        if not below:
            raise UsageError(
                f"{path}: no {RESULTS_FILE} in it or below it",
                hint="pass the --output directory of `vrtest run` or `vrtest matrix`",
            )
        found.extend(below)
    return list(dict.fromkeys(found))


def _is_run_dir(path: Path) -> bool:
    return (path / RESULTS_FILE).is_file()


def _is_merged(path: Path) -> bool:
    """A `vrtest report merge` output repeats its inputs: found below a dir, it is skipped."""
    try:
        return "merged_from" in read_json(path / RUN_FILE)
    except ConfigError:
        return False


def load_run(directory: Path, *, kind: str | None = None) -> LoadedRun:
    """Read ``directory`` into a record; ``kind`` overrides the lane derived from run.json."""
    meta = read_json(directory / RUN_FILE)
    path = directory / RESULTS_FILE
    lines, warnings = _json_lines(path)
    suites, tests = [], []
    for number, data in lines:
        suite, rows = _rows_from_json(data, path, number)
        suites.append(suite)
        tests.extend(rows)
    started = _started(meta, [str(data.get("started") or "") for _, data in lines], path)
    pr = _int_or_none(meta.get("pr"))
    record = RunRecord(
        run_id=run_id(meta, started),
        env=_env_name(meta),
        kind=_kind(kind or meta.get("kind"), pr, meta),
        started=started,
        finished=normalise_time(meta.get("finished")) or "",
        hypervisor=str(meta.get("hypervisor") or ""),
        commit=str(meta.get("commit") or ""),
        pr=pr,
        branch=str(meta.get("branch") or ""),
        title=mask(str(meta.get("title") or "")),
        cell=str(meta.get("cell") or ""),
        plan=_matrix_plan(meta),
        source=str(directory),
        digest=_digest(directory),
        suites=tuple(suites),
        tests=tuple(tests),
    )
    return LoadedRun(record, tuple(warnings))


def _json_lines(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """(line number, object) per line; a truncated final line (killed writer) is a warning."""
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    parsed: list[tuple[int, dict[str, Any]]] = []
    warnings: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or not isinstance(data.get("tests", []), list):
                raise ValueError("expected a JSON object with a tests list")
            parsed.append((number, data))
        except ValueError as exc:
            if number == len(lines) and not text.endswith("\n"):
                warnings.append(f"{path}:{number}: skipped a truncated last line")
                continue
            raise _bad_line(path, number, exc) from exc
    return parsed, warnings


def _bad_line(path: Path, number: int, exc: Exception) -> ConfigError:
    return ConfigError(f"not a suite result: {exc!r}", path=str(path), line=number,
                       hint="each line must be one SuiteResult JSON object")


def read_results(path: Path) -> tuple[list[SuiteResult], list[str]]:
    """Parse results.jsonl into SuiteResults (a truncated last line is a warning)."""
    lines, warnings = _json_lines(path)
    suites = []
    for number, data in lines:
        try:
            suites.append(SuiteResult.from_dict(data))
        except (KeyError, TypeError, ValueError) as exc:
            raise _bad_line(path, number, exc) from exc
    return suites, warnings


def _rows_from_json(
    data: dict[str, Any], path: Path, number: int
) -> tuple[SuiteRow, list[TestRow]]:
    """A suite's rows straight from its JSON (the import's fast path; same rows as suite_rows)."""
    try:
        name, kind = str(data["name"]), str(data["kind"])
        rows = [_test_row_json(name, kind, test) for test in data.get("tests", ())]
        error = str(data.get("error") or "")
        duration = float(data.get("duration", 0.0))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _bad_line(path, number, exc) from exc
    if error:
        rows.append(_suite_error_row(name, kind, error, duration, data.get("metadata") or {}))
    return SuiteRow(name, kind, duration, error), rows


def _test_row_json(suite: str, kind: str, test: dict[str, Any]) -> TestRow:
    outcome = test["outcome"]
    if outcome not in _OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    evidence = test.get("evidence") or ()
    reruns = test.get("reruns") or ()
    return TestRow(
        suite=suite, suite_kind=kind, classname=str(test.get("classname", "")),
        name=str(test["name"]), outcome=outcome, duration=float(test.get("duration", 0.0)),
        reruns=len(reruns), flaky=outcome == "flaky" or bool(reruns),
        evidence_digest=_evidence_digest(json.dumps(evidence, sort_keys=True)) if evidence else "",
        message=mask(str(test.get("message", ""))[:_MESSAGE_LIMIT]),
    )


def _evidence_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _suite_error_row(
    name: str, kind: str, error: str, duration: float, metadata: dict[str, Any]
) -> TestRow:
    not_run = metadata.get("not_run") or error.lower().startswith("not run")
    return TestRow(name, kind, "", SUITE_ERROR_TEST, "not_run" if not_run else "error",
                   duration, message=mask(error[:_MESSAGE_LIMIT]))


def suite_rows(suite: SuiteResult) -> list[TestRow]:
    """One row per test, plus one for a whole-suite error (as the reports show it)."""
    rows = [_test_row(suite, test) for test in suite.tests]
    if suite.error:
        rows.append(_suite_error_row(suite.name, suite.kind, suite.error, suite.duration,
                                     dict(suite.metadata)))
    return rows


def _test_row(suite: SuiteResult, test: TestResult) -> TestRow:
    digest = ""
    if test.evidence:
        digest = _evidence_digest(json.dumps([e.to_dict() for e in test.evidence],
                                             sort_keys=True))
    return TestRow(
        suite=suite.name,
        suite_kind=suite.kind,
        classname=test.classname,
        name=test.name,
        outcome=test.outcome.value,
        duration=test.duration,
        reruns=len(test.reruns),
        flaky=test.outcome.value == "flaky" or bool(test.reruns),
        evidence_digest=digest,
        message=mask(test.message[:_MESSAGE_LIMIT]),
    )


def run_id(meta: dict[str, Any], started: str) -> str:
    """The run's id: run.json's own id, else a digest of what identifies the run."""
    explicit = meta.get("run_id") or meta.get("id")
    if explicit:
        return str(explicit)
    identity = {key: meta.get(key) for key in ("env", "commit", "pr", "branch", "cell", "argv")}
    identity["started"] = started
    blob = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def normalise_time(value: Any) -> str | None:
    """An ISO 8601 timestamp as UTC ``YYYY-MM-DDTHH:MM:SSZ`` (None when absent or unreadable)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _started(meta: dict[str, Any], suite_starts: Sequence[str], results: Path) -> str:
    for candidate in (meta.get("started"), *suite_starts, meta.get("finished")):
        stamp = normalise_time(candidate)
        if stamp:
            return stamp
    mtime = datetime.fromtimestamp(results.stat().st_mtime, timezone.utc)
    return mtime.strftime("%Y-%m-%dT%H:%M:%SZ")


def _env_name(meta: dict[str, Any]) -> str:
    env = meta.get("env") or meta.get("environment") or ""
    if isinstance(env, dict):
        env = env.get("name", "")
    return str(env) or "unknown"


def _kind(explicit: Any, pr: int | None, meta: dict[str, Any]) -> str:
    if explicit:
        if explicit not in RUN_KINDS:
            raise UsageError(f"run kind {explicit!r} is not one of {', '.join(RUN_KINDS)}")
        return str(explicit)
    if pr is not None:
        return "pr"
    return "nightly" if _matrix_plan(meta) or meta.get("cell") else "main"


def _matrix_plan(meta: dict[str, Any]) -> str:
    """The matrix plan's name; a plain run's ``plan`` is its selection plan (a dict), not a name."""
    plan = meta.get("plan")
    return plan if isinstance(plan, str) else ""


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _digest(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in (RUN_FILE, RESULTS_FILE):
        path = directory / name
        if path.is_file():
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:20]
