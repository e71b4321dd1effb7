"""``vrtest report merge``: shard outputs -> one set of reports (same code path as a run)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.conftest import CliRunner
from vrtest.results import Outcome, SuiteResult, TestResult
from vrtest.runner.store import RunStore


def _shard(directory: Path, shard: str, results: list[SuiteResult], status: str = "finished",
           suites: list[str] | None = None) -> Path:
    store = RunStore(directory)
    store.prepare()
    for result in results:
        store.append(result)
    store.write_json("run.json", {"env": "lab-kvm", "hypervisor": "kvm", "commit": "abc123",
                                  "pr": 887, "shard": shard, "status": status,
                                  "started": f"2026-01-01T00:0{shard[0]}:00Z",
                                  "finished": f"2026-01-01T01:0{shard[0]}:00Z",
                                  "not_verified": [f"note from {shard}"]})
    store.write_json("selection.json", {"suites": [{"path": s, "reasons": ["r"]}
                                                   for s in suites or []], "checks": []})
    return directory


def _suite(name: str, *outcomes: Outcome) -> SuiteResult:
    return SuiteResult(name=name, kind="marvin", duration=10.0, tests=tuple(
        TestResult(f"test_{i}", name, outcome) for i, outcome in enumerate(outcomes)))


def test_merge_combines_shards(cli: CliRunner, tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", "1/2", [_suite("smoke/a.py", Outcome.PASSED, Outcome.FAILED)],
                 suites=["smoke/a.py", "smoke/b.py"])
    two = _shard(tmp_path / "s2", "2/2", [_suite("smoke/b.py", Outcome.PASSED, Outcome.FLAKY)],
                 suites=["smoke/a.py", "smoke/b.py"])
    merged = tmp_path / "merged"
    result = cli("report", "merge", str(one), str(two), "--output", str(merged),
                 "--format", "json")
    assert result.code == 1, result.err
    summary = json.loads(result.out)
    assert summary["counts"]["passed"] == 2 and summary["counts"]["failed"] == 1
    assert summary["counts"]["flaky"] == 1 and summary["suites"] == 2
    suites = ET.parse(merged / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["smoke/a.py", "smoke/b.py"]
    meta = json.loads((merged / "run.json").read_text())
    assert meta["merged_from"] == ["1/2", "2/2"] and meta["status"] == "finished"
    assert meta["started"] == "2026-01-01T00:01:00Z" and meta["finished"].startswith(
        "2026-01-01T01:02")
    assert meta["not_verified"] == ["note from 1/2", "note from 2/2"]
    selection = json.loads((merged / "selection.json").read_text())
    assert [s["path"] for s in selection["suites"]] == ["smoke/a.py", "smoke/b.py"]
    text = (merged / "summary.md").read_text()
    assert "| 2 | 1 | 0 | 0 | 1 | 0 |" in text and "FAILED" in text


def test_merge_marks_a_partial_shard(cli: CliRunner, tmp_path: Path) -> None:
    one = _shard(tmp_path / "s1", "1/2", [_suite("smoke/a.py", Outcome.PASSED)])
    two = _shard(tmp_path / "s2", "2/2", [], status="interrupted")
    result = cli("report", "merge", str(one), str(two), "--output", str(tmp_path / "m"))
    assert result.code == 0
    assert "partial: interrupted" in (tmp_path / "m" / "summary.md").read_text()


def test_merge_rejects_non_run_directories(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("report", "merge", str(tmp_path / "empty"), "--output", str(tmp_path / "m"))
    assert result.code == 2 and "not a vrtest run directory" in result.err


def test_render_regenerates_reports(cli: CliRunner, tmp_path: Path) -> None:
    run = _shard(tmp_path / "run", "1/1", [_suite("smoke/a.py", Outcome.PASSED)])
    result = cli("report", "render", str(run))
    assert result.code == 0 and result.out.startswith("PASSED: 1 passed")
    assert (run / "report.html").exists() and (run / "junit.xml").exists()
    missing = cli("report", "render", str(tmp_path))
    assert missing.code == 2 and "has no results.jsonl" in missing.err


def test_merge_keeps_matrix_cells_apart(cli: CliRunner, tmp_path: Path) -> None:
    cells = []
    for cell, outcome in (("local-vpc", Outcome.FAILED), ("local-isolated", Outcome.PASSED)):
        directory = _shard(tmp_path / cell, "1/1", [_suite("vr-checks", outcome)])
        meta = json.loads((directory / "run.json").read_text())
        (directory / "run.json").write_text(json.dumps({**meta, "cell": cell}))
        cells.append(directory)
    merged = tmp_path / "merged"
    result = cli("report", "merge", *map(str, cells), "--output", str(merged), "--format", "json")
    assert result.code == 1, result.err
    suites = ET.parse(merged / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["local-vpc/vr-checks", "local-isolated/vr-checks"]
    counts = json.loads(result.out)["counts"]
    assert counts["failed"] == 1 and counts["passed"] == 1
