"""The run directory: ``results.jsonl`` (appended, fsynced per suite) and ``run.json``."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from vrtest.errors import ConfigError, UsageError
from vrtest.masking import mask
from vrtest.results import SuiteResult

RESULTS = "results.jsonl"
RUN_META = "run.json"
SELECTION = "selection.json"


class RunStore:
    """Reads and writes one run directory; appends are atomic per line and durable."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()

    def check_creatable(self) -> None:
        """Fail as :meth:`prepare` would, without creating anything (for ``--dry-run``)."""
        existing = self.directory
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise UsageError(f"cannot create --output {self.directory}: Not a directory "
                             f"({existing} is a file)",
                             hint="pick a writable directory with --output")
        if not os.access(existing, os.W_OK):
            raise UsageError(f"--output {self.directory} is not writable",
                             hint="pick a writable directory with --output")

    def prepare(self) -> None:
        """Create the directory (an unwritable --output is a one-line usage error)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create --output {self.directory}: {exc.strerror}",
                             hint="pick a writable directory with --output") from exc
        if not os.access(self.directory, os.W_OK):
            raise UsageError(f"--output {self.directory} is not writable",
                             hint="pick a writable directory with --output")

    def mark_reported(self) -> None:
        """Make sure results.jsonl exists (empty when nothing ran): the directory holds a run."""
        (self.directory / RESULTS).touch()

    def append(self, result: SuiteResult) -> None:
        """Append one finished suite, masked, then flush and fsync."""
        line = mask(json.dumps(result.to_dict(), sort_keys=True)) + "\n"
        with self._lock, (self.directory / RESULTS).open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def results(self) -> list[SuiteResult]:
        """Every recorded suite; a torn last line (killed mid-write) is ignored."""
        return load_results(self.directory)

    def finished_names(self) -> set[tuple[str, str]]:
        """(kind, name) of every suite already recorded, for ``--resume``."""
        return {(r.kind, r.name) for r in self.results()}

    def write_json(self, name: str, data: dict[str, Any]) -> None:
        """Write a masked JSON file atomically (temp file + rename)."""
        write_json(self.directory / name, data)

    def read_json(self, name: str) -> dict[str, Any]:
        """Read a JSON file of the run ({} when absent)."""
        return read_json(self.directory / name)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Masked, atomic JSON write."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(mask(json.dumps(data, indent=2, default=str)) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object of a run directory (run.json, selection.json): {} when absent (a partial
    run still reads), a one-line ConfigError when damaged. The one reader for these files."""
    if not path.is_file():
        return {}
    hint = "is this a vrtest run directory? regenerate it with `vrtest report` or remove the file"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON ({exc.msg})", path=str(path), line=exc.lineno,
                          hint=hint) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("not UTF-8 text", path=str(path), hint=hint) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise ConfigError("expected a JSON object", path=str(path), hint=hint)
    return data


def load_results(directory: Path) -> list[SuiteResult]:
    """``results.jsonl`` of a run directory, in order."""
    path = directory / RESULTS
    if not path.exists():
        return []
    results = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            results.append(SuiteResult.from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, ValueError):
            continue  # a line torn by a kill during the write
    return results


def mask_file(path: Path) -> None:
    """Rewrite a log file with every registered secret masked (logs get archived by CI)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    masked = mask(text)
    if masked != text:
        path.write_text(masked, encoding="utf-8")


def mask_tree(directory: Path) -> None:
    """``mask_file`` every file under ``directory`` (Marvin logs its API key with each call)."""
    if directory.is_dir():
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                mask_file(path)
