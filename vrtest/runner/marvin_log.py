"""Why real Marvin stopped before writing a test report, from its own log folder.

Marvin prints only "==== Marvin Init Failed ====" on stdout; the exception is in the
``runinfo.txt`` of the log folder it announced ("==== Log Folder Path: DIR All logs ...").
"""

from __future__ import annotations

import re
from pathlib import Path

INIT_FAILED = "==== Marvin Init Failed ===="
LOG_FOLDER = re.compile(r"==== Log Folder Path: (\S+) All logs will be available here")
COPIED_TO = re.compile(r"=== Final results are now copied to: (\S+) ===")  # nose plugin
EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?\w*(?:Error|Exception)\b.*")


def init_failure(suite_log: Path) -> str:
    """'' when Marvin initialised; else 'Marvin could not initialise: REASON (its log: PATH)'."""
    try:
        output = suite_log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if INIT_FAILED not in output:
        return ""
    folders = LOG_FOLDER.findall(output)
    if not folders:
        return "Marvin could not initialise (before its log folder existed; see the output)"
    runinfo = Path(folders[-1]) / "runinfo.txt"
    reason = last_exception(runinfo)
    return f"Marvin could not initialise{': ' + reason if reason else ''} (its log: {runinfo})"


def last_exception(path: Path) -> str:
    """The last ``SomethingError: ...`` line of a Marvin log, or ''."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    found = [line.strip() for line in lines if EXCEPTION_LINE.match(line)]
    return found[-1] if found else ""


def log_folders(suite_log: Path, root: Path) -> list[Path]:
    """The log folders one Marvin process announced in its output, those under ``root`` only."""
    try:
        output = suite_log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    named = LOG_FOLDER.findall(output) + COPIED_TO.findall(output)
    resolved = root.resolve()
    folders = [Path(name).resolve() for name in named]
    return [f for f in folders if f.is_relative_to(resolved) and f != resolved]
