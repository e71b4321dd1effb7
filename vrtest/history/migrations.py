"""Ordered schema migrations: version N is applied once, in order, inside one transaction."""

from __future__ import annotations

import sqlite3

# Each entry is (version, statements). Never edit a released entry: append a new one.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            """CREATE TABLE runs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id TEXT NOT NULL UNIQUE,
                env TEXT NOT NULL, kind TEXT NOT NULL, started TEXT NOT NULL,
                finished TEXT NOT NULL DEFAULT '', hypervisor TEXT NOT NULL DEFAULT '',
                commit_sha TEXT NOT NULL DEFAULT '', pr INTEGER, branch TEXT NOT NULL DEFAULT '',
                title TEXT NOT NULL DEFAULT '', cell TEXT NOT NULL DEFAULT '',
                plan TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
                digest TEXT NOT NULL DEFAULT '', counts TEXT NOT NULL DEFAULT '{}',
                imported TEXT NOT NULL)""",
            """CREATE TABLE suites (
                run_seq INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
                env TEXT NOT NULL, started TEXT NOT NULL,
                name TEXT NOT NULL, kind TEXT NOT NULL, duration REAL NOT NULL,
                error TEXT NOT NULL DEFAULT '')""",
            """CREATE TABLE results (
                run_seq INTEGER NOT NULL REFERENCES runs(seq) ON DELETE CASCADE,
                env TEXT NOT NULL, kind TEXT NOT NULL, started TEXT NOT NULL,
                test_key TEXT NOT NULL, suite TEXT NOT NULL, suite_kind TEXT NOT NULL,
                classname TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
                duration REAL NOT NULL, flaky INTEGER NOT NULL, reruns INTEGER NOT NULL,
                evidence_digest TEXT NOT NULL, message TEXT NOT NULL)""",
            "CREATE INDEX runs_by_env ON runs(env, kind, started)",
            "CREATE INDEX results_by_run ON results(run_seq)",
            "CREATE INDEX suites_by_run ON suites(run_seq)",
        ),
    ),
    (
        2,
        (
            # Baseline lookups: one test's newest outcomes in one env and lane.
            "CREATE INDEX results_by_test ON results(test_key, env, kind, started DESC, run_seq)",
            "CREATE INDEX suites_by_env ON suites(env, name, started DESC)",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database (0 for a new file); reads only."""
    table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if table is None:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def pending(version: int) -> list[tuple[int, tuple[str, ...]]]:
    """Migrations newer than ``version``, oldest first."""
    return [entry for entry in MIGRATIONS if entry[0] > version]


def apply(conn: sqlite3.Connection, migrations: list[tuple[int, tuple[str, ...]]]) -> None:
    """Run ``migrations`` in order on a connection already inside a write transaction."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    for version, statements in migrations:
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
