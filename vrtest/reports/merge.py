"""``vrtest report merge``: shard (or environment) outputs -> one run directory and its reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from vrtest.errors import UsageError
from vrtest.reports import write_reports
from vrtest.results import SuiteResult
from vrtest.runner.store import RESULTS, RUN_META, SELECTION, RunStore, load_results, read_json


def merge_meta(metas: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One run.json: shared fields kept, differing ones joined, times spanning all inputs."""
    merged: dict[str, Any] = {}
    for key in ("env", "hypervisor", "commit", "pr", "title", "branch"):
        values = list(dict.fromkeys(str(m[key]) for m in metas if m.get(key) not in (None, "")))
        if values:
            merged[key] = ", ".join(values)
    starts = [m["started"] for m in metas if m.get("started")]
    ends = [m["finished"] for m in metas if m.get("finished")]
    merged["started"] = min(starts) if starts else ""
    merged["finished"] = max(ends) if ends else ""
    statuses = {m.get("status", "") for m in metas}
    merged["status"] = "finished" if statuses == {"finished"} else ", ".join(
        sorted(s for s in statuses if s and s != "finished")) or "unknown"
    merged["merged_from"] = [m.get("shard") or m.get("env", "") for m in metas]
    merged["not_verified"] = list(dict.fromkeys(n for m in metas
                                                for n in m.get("not_verified", [])))
    return merged


def merge_selection(selections: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Union of the selections' suites and checks (first occurrence wins)."""
    suites: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    for selection in selections:
        for suite in selection.get("suites", []):
            suites.setdefault(suite.get("path", ""), suite)
        for check in selection.get("checks", []):
            checks.setdefault(check.get("name", ""), check)
    merged = dict(selections[0]) if selections else {}
    merged.update(suites=list(suites.values()), checks=list(checks.values()))
    return merged


def _in_cell(result: SuiteResult, cell: str) -> SuiteResult:
    """A matrix cell's suite, named after its cell so cells sharing a suite stay distinct."""
    if not cell:
        return result
    return replace(result, name=f"{cell}/{result.name}", metadata={**result.metadata, "cell": cell})


def merge_runs(inputs: Sequence[Path], output: Path) -> list[Path]:
    """Merge run directories into ``output`` and regenerate the reports there."""
    for directory in inputs:
        if not (directory / RESULTS).exists() and not (directory / RUN_META).exists():
            raise UsageError(f"{directory} is not a vrtest run directory (no {RESULTS})",
                             hint="give the --output directories of earlier runs")
    if (output / RESULTS).exists() and output.resolve() not in {d.resolve() for d in inputs}:
        raise UsageError(f"{output} already holds a run", hint="pick an empty --output")
    cells = [str(read_json(d / RUN_META).get("cell") or "") for d in inputs]
    several_cells = len(set(cells)) > 1
    results = [_in_cell(result, cell) if several_cells else result
               for directory, cell in zip(inputs, cells, strict=True)
               for result in load_results(directory)]
    store = RunStore(output)
    store.prepare()
    (output / RESULTS).unlink(missing_ok=True)
    seen: set[tuple[str, str]] = set()
    for result in results:  # shards are disjoint; a resumed run may repeat a suite
        if (result.kind, result.name) not in seen:
            seen.add((result.kind, result.name))
            store.append(result)
    store.write_json(RUN_META, merge_meta([read_json(d / RUN_META) for d in inputs]))
    store.write_json(SELECTION, merge_selection([read_json(d / SELECTION) for d in inputs]))
    return write_reports(output)
