"""The storage interface (:class:`HistoryStore`) and where the default store lives."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal, Protocol

from vrtest.history.records import RunRecord, RunSummary, TestPoint

ImportOutcome = Literal["added", "replaced", "unchanged"]
HISTORY_ENV_VAR = "VRTEST_HISTORY"


class HistoryStore(Protocol):
    """Everything vrtest needs from run history; SQLite implements it, a server DB can later."""

    def import_run(self, run: RunRecord) -> ImportOutcome:
        """Store one run atomically; re-importing the same run id replaces or skips it."""
        ...

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
        ...

    def test_points(
        self,
        *,
        env: str | None = None,
        kinds: Sequence[str] = (),
        test: str | None = None,
        since: str | None = None,
        last: int = 20,
    ) -> dict[str, list[TestPoint]]:
        """Per test key (substring filter ``test``), its newest ``last`` outcomes, newest first."""
        ...

    def baseline(
        self, env: str, keys: Iterable[str], *, kinds: Sequence[str], last: int
    ) -> dict[str, list[TestPoint]]:
        """For each exact test key, its newest ``last`` outcomes in ``env`` and ``kinds``."""
        ...

    def suite_durations(self, env: str, *, last: int = 10) -> dict[str, float]:
        """Mean duration (seconds) of each suite over its newest ``last`` runs in ``env``."""
        ...

    def suite_failure_rates(self, env: str, *, last: int = 10) -> dict[str, float]:
        """Share of each suite's newest ``last`` runs in ``env`` that failed (0.0 to 1.0)."""
        ...

    def counts(self) -> Mapping[str, int]:
        """Rows per table (runs, suites, results): for status and consistency checks."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def default_history_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$VRTEST_HISTORY``, else ``~/.vrtest/history.sqlite``."""
    env = os.environ if environ is None else environ
    if env.get(HISTORY_ENV_VAR):
        return Path(env[HISTORY_ENV_VAR]).expanduser()
    return Path("~/.vrtest/history.sqlite").expanduser()


def open_store(path: Path | str | None = None) -> HistoryStore:
    """Open (creating and migrating when needed) the store at ``path`` or the default."""
    from vrtest.history.sqlite import SqliteHistoryStore

    return SqliteHistoryStore(Path(path) if path else default_history_path())


@contextlib.contextmanager
def existing_store(path: Path | str | None = None) -> Iterator[HistoryStore | None]:
    """The store at ``path`` (or the default) if it exists, else None; never creates one.
    Closed when the block ends."""
    where = Path(path) if path else default_history_path()
    if not where.exists():
        yield None
        return
    store = open_store(where)
    try:
        yield store
    finally:
        store.close()
