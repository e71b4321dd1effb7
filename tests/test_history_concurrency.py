"""Real processes: two importers at once, and an importer SIGKILLed mid-transaction."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.history_runs import night, write_run
from vrtest.history import migrations
from vrtest.history.sqlite import SqliteHistoryStore

REPO = Path(__file__).resolve().parent.parent


def _runs(root: Path, count: int, tests: int) -> list[Path]:
    return [
        write_run(root / f"run{i:03d}",
                  {f"smoke/s{j % 7}.py::t{j}": "passed" for j in range(tests)},
                  started=f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00Z", commit=f"c{i}")
        for i in range(count)
    ]


def test_two_concurrent_importers_leave_a_consistent_store(tmp_path: Path) -> None:
    dirs = _runs(tmp_path / "runs", 40, 250)
    db = tmp_path / "h.sqlite"
    first = [str(d) for d in dirs[:30]]
    second = [str(d) for d in dirs[10:]]  # 20 runs overlap: both try to import them
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "vrtest", "history", "import", "--history", str(db), *chunk],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        )
        for chunk in (first, second)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    added = sum(out.count(" added") for out, _ in outputs)
    unchanged = sum(out.count(" unchanged") for out, _ in outputs)
    assert (added, unchanged) == (40, 20)
    store = SqliteHistoryStore(db)
    try:
        assert store.integrity_check() == "ok"
        assert store.counts() == {"runs": 40, "suites": 40 * 7, "results": 40 * 250}
    finally:
        store.close()


KILLED_IMPORTER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from vrtest.history.importer import load_run
    from vrtest.history.sqlite import SqliteHistoryStore

    store = SqliteHistoryStore(Path(sys.argv[1]))
    record = load_run(Path(sys.argv[2])).record
    calls = 0

    def pause_mid_write():
        global calls
        calls += 1
        if calls == 200:  # well inside the INSERTs of this run's rows
            print("mid-import", flush=True)
            time.sleep(120)
        return 0

    store._conn.execute("PRAGMA cache_size = 20")  # spill dirty pages to the WAL early
    store._conn.set_progress_handler(pause_mid_write, 1000)
    store.import_run(record)
    print("finished", flush=True)
    """
)


def test_importer_killed_mid_transaction_loses_only_its_own_run(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    before = write_run(tmp_path / "before", {f"s.py::t{i}": "passed" for i in range(50)},
                       started=night(1))
    big = write_run(tmp_path / "big", {f"s{i % 9}.py::t{i}": "failed" for i in range(20000)},
                    started=night(2))
    store = SqliteHistoryStore(db)
    from vrtest.history.importer import load_run

    store.import_run(load_run(before).record)
    store.close()

    child = subprocess.Popen([sys.executable, "-c", KILLED_IMPORTER, str(db), str(big)],
                             stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "mid-import"
        wal = Path(f"{db}-wal")
        assert wal.stat().st_size > 0  # pages of the half-written run reached the WAL
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    store = SqliteHistoryStore(db)
    try:
        assert store.integrity_check() == "ok"
        assert store.counts() == {"runs": 1, "suites": 1, "results": 50}
        assert store.import_run(load_run(big).record) == "added"  # the retry works
        assert store.counts() == {"runs": 2, "suites": 10, "results": 20050}
    finally:
        store.close()


def _open_at_barrier(path: str, barrier: Any, errors: Any) -> None:
    barrier.wait()
    try:
        SqliteHistoryStore(Path(path)).close()
    except Exception as exc:  # reported to the parent, which asserts on it
        errors.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_new_store_at_the_same_instant_all_succeed(tmp_path: Path) -> None:
    # Converting a new file to WAL answers 'database is locked' at once, without the busy
    # handler, if another process is converting it too; the store must wait, not fail.
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    for round_no in range(8):
        path = str(tmp_path / f"new{round_no}.sqlite")
        barrier = ctx.Barrier(6)
        workers = [ctx.Process(target=_open_at_barrier, args=(path, barrier, errors))
                   for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [worker.exitcode for worker in workers] == [0] * 6
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    store = SqliteHistoryStore(tmp_path / "new0.sqlite")
    try:
        assert store.schema_version() == migrations.LATEST_VERSION
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()
