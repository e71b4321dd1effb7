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

    # Entry points for ``vrtest run`` (same sources as ``vrtest select``).
    @classmethod
    def from_files(cls, paths: Iterable[str]) -> ChangeSet:
        """Explicit paths (``--files``)."""
        return from_files(paths)

    @classmethod
    def from_files_from(cls, name: str) -> ChangeSet:
        """One path per line in a file, or stdin for ``-`` (``--files-from``)."""
        return from_files_list(name)

    @classmethod
    def from_diff(cls, spec: str, repo: str | Path = ".") -> ChangeSet:
        """``BASE...HEAD`` in the checkout ``repo`` (merge-base semantics)."""
        from vrtest.selector.gitdiff import from_diff

        return from_diff(Path(repo), spec)

    @classmethod
    def from_pr(cls, pr: int | str, repo: str | Path | None = None,
                target_branch: str = "main") -> ChangeSet:
        """A pull request: fetched into ``repo`` when given, else from the GitHub API."""
        import os

        from vrtest.selector import gitdiff, github

        number = github.check_pr_number(pr)
        if repo is not None:
            return gitdiff.from_pr_checkout(Path(repo), number, target_branch)
        return github.from_pull_request(github.GitHubApi.from_env(os.environ), number)

    @classmethod
    def everything(cls) -> ChangeSet:
        """No particular change: select the whole VR set (``vrtest run --all``)."""
        return cls((), {"kind": "all"})

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
