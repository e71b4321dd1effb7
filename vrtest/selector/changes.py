"""The :class:`ChangeSet` record and the simple sources: explicit paths and path lists."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrtest.errors import UsageError


@dataclass(frozen=True)
class ChangeSet:
    """The paths a change touches (renames give old and new) and where they came from."""

    paths: tuple[str, ...]
    source: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @classmethod
    def build(
        cls, paths: Iterable[str], source: dict[str, Any], notes: Iterable[str] = ()
    ) -> ChangeSet:
        """Normalise paths (strip, drop blanks and ``./``, de-duplicate keeping order)."""
        seen: dict[str, None] = {}
        for raw in paths:
            path = normalise_path(raw)
            if path:
                seen.setdefault(path, None)
        return cls(tuple(seen), dict(source), tuple(notes))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"paths": list(self.paths), "source": dict(self.source), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChangeSet:
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(data["paths"]), dict(data.get("source", {})),
                   tuple(data.get("notes", ())))


def normalise_path(raw: str) -> str:
    """A repository-relative POSIX path: no surrounding space, ``./`` or leading ``/``."""
    path = raw.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def from_files(paths: Iterable[str]) -> ChangeSet:
    """A change given as paths on the command line (``--files``)."""
    return ChangeSet.build(paths, {"kind": "files"})


def from_files_list(name: str) -> ChangeSet:
    """A change given as one path per line in a file, or on stdin for ``-``."""
    if name == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot read --files-from {name}: {exc.strerror or exc}",
                hint="give a file with one changed path per line, or - for stdin",
            ) from exc
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return ChangeSet.build(lines, {"kind": "files", "from": name})
