"""The SQLite history store: atomic idempotent imports, WAL, migrations, clear errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.history_runs import night, write_run
from vrtest.errors import ConfigError, ExitCode, UsageError
from vrtest.history import migrations
from vrtest.history.importer import find_run_dirs, load_run
from vrtest.history.sqlite import SqliteHistoryStore


@pytest.fixture
def store(tmp_path: Path) -> SqliteHistoryStore:
    opened = SqliteHistoryStore(tmp_path / "history.sqlite")
    yield opened
    opened.close()


def test_new_store_is_wal_and_fully_migrated(store: SqliteHistoryStore) -> None:
    mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert store.schema_version() == migrations.LATEST_VERSION
    assert store.counts() == {"runs": 0, "suites": 0, "results": 0}


def test_import_stores_run_metadata_and_every_test(
    store: SqliteHistoryStore, tmp_path: Path
) -> None:
    run = write_run(tmp_path / "r1", {"smoke/a.py::t1": "passed", "smoke/a.py::t2": "failed",
                                      "smoke/b.py::t3": "flaky"}, pr=887, branch="fix-rvr")
    record = load_run(run).record
    assert record.kind == "pr" and record.pr == 887 and record.env == "lab-kvm"
    assert store.import_run(record) == "added"
    assert store.counts() == {"runs": 1, "suites": 2, "results": 3}
    [summary] = store.runs()
    assert summary.counts == {"passed": 1, "failed": 1, "flaky": 1}
    assert summary.branch == "fix-rvr"
    points = store.test_points(test="b.py::t3")
    assert list(points) == ["smoke/b.py::t3"]
    assert points["smoke/b.py::t3"][0].flaky and points["smoke/b.py::t3"][0].reruns == 1


def test_reimport_is_idempotent_and_changed_content_replaces(
    store: SqliteHistoryStore, tmp_path: Path
) -> None:
    run = write_run(tmp_path / "r1", {"s.py::t1": "passed", "s.py::t2": "passed"})
    assert store.import_run(load_run(run).record) == "added"
    assert store.import_run(load_run(run).record) == "unchanged"
    write_run(run, {"s.py::t1": "passed", "s.py::t2": "failed", "s.py::t3": "passed"})
    assert store.import_run(load_run(run).record) == "replaced"
    assert store.counts() == {"runs": 1, "suites": 1, "results": 3}
    assert store.runs()[0].counts == {"passed": 2, "failed": 1}


def test_run_id_comes_from_run_json(tmp_path: Path) -> None:
    a = load_run(write_run(tmp_path / "a", {"s.py::t": "passed"}, started=night(1))).record
    b = load_run(write_run(tmp_path / "b", {"s.py::t": "failed"}, started=night(1))).record
    c = load_run(write_run(tmp_path / "c", {"s.py::t": "passed"}, started=night(2))).record
    assert a.run_id == b.run_id != c.run_id  # same run.json identity, different start
    explicit = load_run(write_run(tmp_path / "d", {"s.py::t": "passed"}, run_id="nightly-42"))
    assert explicit.record.run_id == "nightly-42"


def test_kind_derivation_and_time_normalisation(tmp_path: Path) -> None:
    main = load_run(write_run(tmp_path / "m", {"s.py::t": "passed"},
                              started="2026-11-01T03:00:00+01:00")).record
    assert main.kind == "main" and main.started == "2026-11-01T02:00:00Z"
    cell = load_run(write_run(tmp_path / "n", {"s.py::t": "passed"}, cell="local-vpc")).record
    assert cell.kind == "nightly"
    forced = load_run(write_run(tmp_path / "p", {"s.py::t": "passed"}), kind="nightly").record
    assert forced.kind == "nightly"


def test_suite_error_without_tests_becomes_one_row(tmp_path: Path) -> None:
    run = tmp_path / "r"
    run.mkdir()
    lines = [{"name": "smoke/test_vpc_vpn.py", "kind": "marvin", "error": "timeout after 3600s"},
             {"name": "smoke/x.py", "kind": "marvin", "error": "not run: marvin disabled"}]
    (run / "results.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    record = load_run(run).record
    assert record.env == "unknown"  # no run.json: still importable
    assert [(t.key, t.outcome) for t in record.tests] == [
        ("smoke/test_vpc_vpn.py::(suite)", "error"), ("smoke/x.py::(suite)", "not_run")]


def test_truncated_last_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    run = write_run(tmp_path / "r", {"s.py::t1": "passed", "u.py::t2": "failed"})
    text = (run / "results.jsonl").read_text()
    (run / "results.jsonl").write_text(text[: len(text) - 30])
    loaded = load_run(run)
    assert [t.key for t in loaded.record.tests] == ["s.py::t1"]
    assert "truncated last line" in loaded.warnings[0]


def test_malformed_line_in_the_middle_names_file_and_line(tmp_path: Path) -> None:
    run = write_run(tmp_path / "r", {"s.py::t1": "passed"})
    good = (run / "results.jsonl").read_text()
    (run / "results.jsonl").write_text("{not json\n" + good)
    with pytest.raises(ConfigError) as info:
        load_run(run)
    assert f"{run / 'results.jsonl'}:1:" in info.value.one_line()


def test_find_run_dirs_walks_matrix_output(tmp_path: Path) -> None:
    for cell in ("local-vpc", "local-isolated"):
        write_run(tmp_path / "out" / cell, {"s.py::t": "passed"}, cell=cell)
    write_run(tmp_path / "out" / "merged", {"s.py::t": "passed"}, merged_from=["a", "b"])
    found = find_run_dirs([tmp_path / "out"])
    assert [path.name for path in found] == ["local-isolated", "local-vpc"]  # merged repeats
    assert find_run_dirs([tmp_path / "out" / "merged"]) == [tmp_path / "out" / "merged"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"no results\.jsonl"):
        find_run_dirs([tmp_path / "empty"])
    with pytest.raises(UsageError, match="no such directory"):
        find_run_dirs([tmp_path / "missing"])
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UsageError, match="a file, not a directory"):
        find_run_dirs([tmp_path / "afile"])


def test_old_schema_is_migrated_in_order(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    version_one = [entry for entry in migrations.MIGRATIONS if entry[0] == 1]
    conn.execute("BEGIN")
    migrations.current_version(conn)
    migrations.apply(conn, version_one)
    conn.execute("COMMIT")
    conn.close()
    store = SqliteHistoryStore(path)
    try:
        assert store.schema_version() == migrations.LATEST_VERSION
        indexes = {row[0] for row in store._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "results_by_test" in indexes
    finally:
        store.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    SqliteHistoryStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (99)")
    conn.commit()
    conn.close()
    with pytest.raises(ConfigError, match="newer than this vrtest"):
        SqliteHistoryStore(path)


def test_not_a_database_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ConfigError) as info:
        SqliteHistoryStore(path)
    assert info.value.exit_code == ExitCode.CONFIG
    assert str(path) in info.value.one_line()


def test_fast_import_rows_match_the_suite_result_rows(tmp_path: Path) -> None:
    from vrtest.history.importer import read_results, suite_rows
    from vrtest.results import Evidence, Outcome, SuiteResult, TestResult

    run = tmp_path / "r"
    run.mkdir()
    evidence = (Evidence("ip route show table main", "default via 10.1.1.1", "r-4-VM", "ok"),)
    suites = [
        SuiteResult("vr-checks", "checks", (
            TestResult("default-route", "r-4-VM", Outcome.FAILED, 0.5, "no default route",
                       evidence=evidence),
            TestResult("services", "r-4-VM", Outcome.FLAKY, 1.0, reruns=("first try",)),
        )),
        SuiteResult("smoke/test_vpc_vpn.py", "marvin", (
            TestResult("test_01", "TestVpn", Outcome.PASSED, 3.0),), error="timeout"),
        SuiteResult("smoke/x.py", "marvin", error="not run: no MS", metadata={"not_run": "true"}),
    ]
    (run / "results.jsonl").write_text("".join(json.dumps(s.to_dict()) + "\n" for s in suites))
    fast = load_run(run).record.tests
    slow = tuple(row for suite in read_results(run / "results.jsonl")[0]
                 for row in suite_rows(suite))
    assert fast == slow
    assert [row.outcome for row in fast] == ["failed", "flaky", "passed", "error", "not_run"]
    assert fast[0].evidence_digest and fast[1].flaky and fast[1].reruns == 1


def test_plain_run_with_a_selection_plan_is_main_not_nightly(tmp_path: Path) -> None:
    selection_plan = {"suites": [], "checks": ["default-route"], "not_run": [], "not_verified": []}
    plain = load_run(write_run(tmp_path / "r", {"s.py::t": "passed"}, plan=selection_plan)).record
    assert plain.kind == "main" and plain.plan == ""
    cell = load_run(write_run(tmp_path / "c", {"s.py::t": "passed"}, plan="lab",
                              cell="local-vpc")).record
    assert cell.kind == "nightly" and cell.plan == "lab"


def test_a_file_where_the_directory_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConfigError) as info:
        SqliteHistoryStore(tmp_path / "afile" / "sub" / "history.sqlite")
    assert info.value.exit_code == ExitCode.CONFIG
    assert f"{tmp_path / 'afile'} is a file, not a directory" in info.value.one_line()
