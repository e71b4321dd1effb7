"""One clear line when a user-named output (``-o FILE``, ``--output DIR``) cannot be written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vrtest.errors import UsageError


@contextmanager
def writing_output(path: Path, option: str = "--output") -> Iterator[None]:
    """Raise a :class:`UsageError` naming ``path`` and ``option`` if writing it fails."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot write {option} {path}: {reason}",
                         hint=f"pick a writable path for {option}") from exc


def write_output(path: Path, text: str, option: str = "--output") -> None:
    """Write ``text`` to ``path`` as UTF-8, or fail with one line naming the option."""
    with writing_output(path, option):
        path.write_text(text, encoding="utf-8")
