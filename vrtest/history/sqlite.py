"""The embedded history store: one SQLite file in WAL mode, one transaction per imported run."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vrtest.errors import ConfigError, UnreachableError
from vrtest.history import migrations
from vrtest.history.records import RUN_KINDS, RunRecord, RunSummary, TestPoint
from vrtest.history.store import ImportOutcome

_RUN_COLUMNS = (
    "run_id, env, kind, started, commit_sha, pr, branch, cell, plan, counts"
)
_POINT_COLUMNS = (
    "runs.run_id AS run_id, r.started AS started, runs.commit_sha AS commit_sha,"
    " r.outcome AS outcome, r.duration AS duration, r.flaky AS flaky, r.reruns AS reruns,"
    " r.run_seq AS run_seq"
)


def _enable_wal(conn: sqlite3.Connection, deadline: float) -> None:
    """Switch to WAL, retrying: SQLite answers 'locked' at once, without its busy handler,
    when another process is converting the same new file at that moment."""
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _why_not(path: Path, exc: OSError) -> str:
    """The OS reason, naming the regular file that stands where a directory must be."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a directory"
    return str(exc.strerror)


class SqliteHistoryStore:
    """:class:`vrtest.history.store.HistoryStore` on SQLite (WAL, busy timeout, migrations)."""

    def __init__(self, path: Path, *, busy_timeout: float = 60.0) -> None:
        self.path = path
        hint = "point --history (or VRTEST_HISTORY) at a vrtest history database"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            _enable_wal(self._conn, time.monotonic() + busy_timeout)
            self._conn.execute("PRAGMA synchronous = NORMAL")
            # Checkpoint (and fsync) every ~32 MB of WAL rather than every 4 MB: imports of
            # many runs spend most of their time there otherwise.
            self._conn.execute("PRAGMA wal_autocheckpoint = 8000")
            self._conn.execute("PRAGMA journal_size_limit = 67108864")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open history database: {exc}", path=str(path),
                              hint=hint) from exc
        except OSError as exc:
            raise ConfigError(f"cannot create history database: {_why_not(path, exc)}",
                              path=str(path), hint=hint) from exc

    def _migrate(self) -> None:
        version = migrations.current_version(self._conn)
        if version == migrations.LATEST_VERSION:
            return
        with self._transaction() as conn:
            version = migrations.current_version(conn)
            if version > migrations.LATEST_VERSION:
                raise ConfigError(
                    f"history schema version {version} is newer than this vrtest supports "
                    f"({migrations.LATEST_VERSION})", path=str(self.path),
                    hint="upgrade vrtest",
                )
            migrations.apply(conn, migrations.pending(version))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front (no upgrade deadlocks)."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise UnreachableError(
                f"history database {self.path} stayed locked: {exc}",
                hint="another import is still writing; retry when it finishes",
            ) from exc
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def import_run(self, run: RunRecord) -> ImportOutcome:
        """Store one run atomically; same id + same digest is a no-op, else it is replaced."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT seq, digest FROM runs WHERE run_id = ?", (run.run_id,)
            ).fetchone()
            if row and row[1] == run.digest:
                return "unchanged"
            if row:
                _delete_run(conn, int(row[0]))
            _insert_run(conn, run)
        return "replaced" if row else "added"

    def runs(
        self,
        *,
        env: str | None = None,
        kinds: Sequence[str] = (),
        cell: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """Stored runs, newest first."""
        where, params = _filters(
            ("env = ?", env), ("cell = ?", cell), ("started >= ?", since)
        )
        if kinds:
            where.append(f"kind IN ({_marks(kinds)})")
            params.extend(kinds)
        sql = f"SELECT {_RUN_COLUMNS} FROM runs {_where(where)} ORDER BY started DESC, seq DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_summary(row) for row in self._conn.execute(sql, params)]

    def test_points(
        self,
        *,
        env: str | None = None,
        kinds: Sequence[str] = (),
        test: str | None = None,
        since: str | None = None,
        last: int = 20,
    ) -> dict[str, list[TestPoint]]:
        """Per test key (case-insensitive substring ``test``), its newest ``last`` outcomes."""
        where, params = _filters(
            ("env = ?", env), ("started >= ?", since),
            ("instr(lower(test_key), lower(?)) > 0", test),
        )
        if kinds:
            where.append(f"kind IN ({_marks(kinds)})")
            params.extend(kinds)
        sql = f"SELECT DISTINCT test_key FROM results {_where(where)} ORDER BY test_key"
        keys = [row[0] for row in self._conn.execute(sql, params)]
        lanes = tuple(kinds) or RUN_KINDS
        return {key: self._newest(key, env, lanes, since, last) for key in keys}

    def baseline(
        self, env: str, keys: Iterable[str], *, kinds: Sequence[str], last: int
    ) -> dict[str, list[TestPoint]]:
        """For each exact test key, its newest ``last`` outcomes in ``env`` and ``kinds``."""
        return {key: self._newest(key, env, kinds, None, last) for key in dict.fromkeys(keys)}

    def _newest(
        self, key: str, env: str | None, kinds: Sequence[str], since: str | None, last: int
    ) -> list[TestPoint]:
        """One test's newest ``last`` points: one indexed query per lane, merged."""
        where, params = _filters(
            ("r.test_key = ?", key), ("r.env = ?", env), ("r.started >= ?", since)
        )
        sql = (
            f"SELECT {_POINT_COLUMNS} FROM results r JOIN runs ON runs.seq = r.run_seq"
            f" {_where([*where, 'r.kind = ?'])} ORDER BY r.started DESC, r.run_seq DESC LIMIT ?"
        )
        rows = [row for kind in kinds for row in self._conn.execute(sql, [*params, kind, last])]
        rows.sort(key=lambda row: (row[1], row[7]), reverse=True)
        return [_point(row) for row in rows[:last]]

    def suite_durations(self, env: str, *, last: int = 10) -> dict[str, float]:
        """Mean duration of each suite over its newest ``last`` completed runs in ``env``."""
        sql = (
            "SELECT name, AVG(duration) FROM ("
            " SELECT name, duration, ROW_NUMBER() OVER ("
            "  PARTITION BY name ORDER BY started DESC, run_seq DESC) AS n"
            " FROM suites WHERE env = ? AND error = '')"
            " WHERE n <= ? GROUP BY name ORDER BY name"
        )
        return {name: round(float(mean), 3) for name, mean in self._conn.execute(sql, (env, last))}

    def suite_failure_rates(self, env: str, *, last: int = 10) -> dict[str, float]:
        """Share of each suite's newest ``last`` runs in ``env`` with any failure or error."""
        sql = (
            "SELECT name, AVG(bad) FROM ("
            " SELECT s.name AS name, (s.error != '' OR EXISTS (SELECT 1 FROM results r"
            "  WHERE r.run_seq = s.run_seq AND r.suite = s.name"
            "  AND r.outcome IN ('failed', 'error'))) AS bad,"
            " ROW_NUMBER() OVER (PARTITION BY s.name ORDER BY s.started DESC, s.run_seq DESC)"
            "  AS n FROM suites s WHERE s.env = ? AND s.error NOT LIKE 'not run%')"
            " WHERE n <= ? GROUP BY name ORDER BY name"
        )
        return {name: round(float(rate), 3) for name, rate in self._conn.execute(sql, (env, last))}

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {
            table: int(self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("runs", "suites", "results")
        }

    def integrity_check(self) -> str:
        """SQLite's own consistency verdict: ``ok`` when the file is sound."""
        return "\n".join(str(row[0]) for row in self._conn.execute("PRAGMA integrity_check"))

    def schema_version(self) -> int:
        """The applied schema version."""
        return migrations.current_version(self._conn)

    def close(self) -> None:
        """Release the connection."""
        self._conn.close()


def _delete_run(conn: sqlite3.Connection, seq: int) -> None:
    for table in ("results", "suites"):
        conn.execute(f"DELETE FROM {table} WHERE run_seq = ?", (seq,))
    conn.execute("DELETE FROM runs WHERE seq = ?", (seq,))


def _insert_run(conn: sqlite3.Connection, run: RunRecord) -> None:
    imported = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    cursor = conn.execute(
        "INSERT INTO runs (run_id, env, kind, started, finished, hypervisor, commit_sha, pr,"
        " branch, title, cell, plan, source, digest, counts, imported)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run.run_id, run.env, run.kind, run.started, run.finished, run.hypervisor, run.commit,
         run.pr, run.branch, run.title, run.cell, run.plan, run.source, run.digest,
         json.dumps(run.counts(), sort_keys=True), imported),
    )
    seq = cursor.lastrowid
    conn.executemany(
        "INSERT INTO suites VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(seq, run.env, run.started, s.name, s.kind, s.duration, s.error) for s in run.suites],
    )
    conn.executemany(
        "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (seq, run.env, run.kind, run.started, t.key, t.suite, t.suite_kind, t.classname,
             t.name, t.outcome, t.duration, int(t.flaky), t.reruns, t.evidence_digest, t.message)
            for t in run.tests
        ],
    )


def _filters(*pairs: tuple[str, Any]) -> tuple[list[str], list[Any]]:
    where = [clause for clause, value in pairs if value is not None]
    params = [value for _, value in pairs if value is not None]
    return where, params


def _where(clauses: list[str]) -> str:
    return f"WHERE {' AND '.join(clauses)}" if clauses else ""


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)


def _summary(row: Sequence[Any]) -> RunSummary:
    return RunSummary(
        run_id=row[0], env=row[1], kind=row[2], started=row[3], commit=row[4], pr=row[5],
        branch=row[6], cell=row[7], plan=row[8], counts=json.loads(row[9]),
    )


def _point(row: Sequence[Any]) -> TestPoint:
    return TestPoint(
        run_id=row[0], started=row[1], commit=row[2], outcome=row[3], duration=float(row[4]),
        flaky=bool(row[5]), reruns=int(row[6]),
    )
