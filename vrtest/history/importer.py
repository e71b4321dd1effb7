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
from vrtest.results import SuiteResult, TestResult

RUN_FILE = "run.json"
RESULTS_FILE = "results.jsonl"
SUITE_ERROR_TEST = "(suite)"  # the test row standing for a suite that failed as a whole
_MESSAGE_LIMIT = 500


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
            raise UsageError(f"{path}: no such directory", hint="pass a run or matrix output dir")
        if _is_run_dir(path):
            found.append(path)
            continue
        below = sorted({p.parent for p in path.rglob(RESULTS_FILE) if _is_run_dir(p.parent)})
        if not below:
            raise UsageError(
                f"{path}: no {RESULTS_FILE} in it or below it",
                hint="pass the --output directory of `vrtest run` or `vrtest matrix`",
            )
        found.extend(below)
    return list(dict.fromkeys(found))


def _is_run_dir(path: Path) -> bool:
    return (path / RESULTS_FILE).is_file()


def load_run(directory: Path, *, kind: str | None = None) -> LoadedRun:
    """Read ``directory`` into a record; ``kind`` overrides the lane derived from run.json."""
    meta = read_run_meta(directory / RUN_FILE)
    suites, warnings = read_results(directory / RESULTS_FILE)
    started = _started(meta, suites, directory / RESULTS_FILE)
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
        plan=str(meta.get("plan") or ""),
        source=str(directory),
        digest=_digest(directory),
        suites=tuple(SuiteRow(s.name, s.kind, s.duration, s.error) for s in suites),
        tests=tuple(row for suite in suites for row in suite_rows(suite)),
    )
    return LoadedRun(record, tuple(warnings))


def read_run_meta(path: Path) -> dict[str, Any]:
    """run.json as a dict; a missing file is an empty dict (partial runs still import)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid JSON: {exc}", path=str(path),
                          hint="re-run `vrtest report` or remove the file") from exc
    if not isinstance(data, dict):
        raise ConfigError("expected a JSON object", path=str(path))
    return data


def read_results(path: Path) -> tuple[list[SuiteResult], list[str]]:
    """Parse results.jsonl; a truncated final line (killed writer) is skipped with a warning."""
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    suites: list[SuiteResult] = []
    warnings: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            suites.append(SuiteResult.from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            if number == len(lines) and not text.endswith("\n"):
                warnings.append(f"{path}:{number}: skipped a truncated last line")
                continue
            raise ConfigError(f"not a suite result: {exc}", path=str(path), line=number,
                              hint="each line must be one SuiteResult JSON object") from exc
    return suites, warnings


def suite_rows(suite: SuiteResult) -> list[TestRow]:
    """One row per test, plus one for a whole-suite error (as the reports show it)."""
    rows = [_test_row(suite, test) for test in suite.tests]
    if suite.error:
        not_run = suite.metadata.get("not_run") or suite.error.lower().startswith("not run")
        outcome = "not_run" if not_run else "error"
        rows.append(TestRow(suite.name, suite.kind, "", SUITE_ERROR_TEST, outcome,
                            suite.duration, message=mask(suite.error[:_MESSAGE_LIMIT])))
    return rows


def _test_row(suite: SuiteResult, test: TestResult) -> TestRow:
    digest = ""
    if test.evidence:
        evidence = json.dumps([e.to_dict() for e in test.evidence], sort_keys=True)
        digest = hashlib.sha256(evidence.encode()).hexdigest()[:16]
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


def _started(meta: dict[str, Any], suites: Sequence[SuiteResult], results: Path) -> str:
    for candidate in (meta.get("started"), *(s.started for s in suites), meta.get("finished")):
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
    return "nightly" if meta.get("plan") or meta.get("cell") else "main"


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
