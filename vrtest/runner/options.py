"""The options of one ``vrtest run``, parsed once from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vrtest.environment import Environment


@dataclass(frozen=True)
class RunOptions:
    """Everything ``vrtest run`` was asked to do."""

    env: str
    output: Path
    pr: int | None = None
    diff: str | None = None
    files: tuple[str, ...] = ()
    files_from: str | None = None
    all_suites: bool = False
    selection_file: Path | None = None
    envs_dir: str | None = None
    cloudstack: str | None = None
    shard: tuple[int, int] | None = None
    durations: Path | None = None
    jobs: int = 1
    suite_timeout: float | None = None
    rerun_failures: int = 0
    resume: bool = False
    dry_run: bool = False
    format: str = "text"
    argv: tuple[str, ...] = ()
    fail_on: str = "new"  # new | any: which failures make the exit code 1 (history baseline)
    history: Path | None = None  # history database (default $VRTEST_HISTORY or ~/.vrtest/...)

    @property
    def change_source(self) -> str:
        """How changes are given, for the log."""
        if self.selection_file:
            return f"saved selection {self.selection_file}"
        if self.all_suites:
            return "--all"
        if self.pr is not None:
            return f"PR #{self.pr}"
        if self.diff:
            return f"diff {self.diff}"
        if self.files_from:
            return f"files from {self.files_from}"
        return f"{len(self.files)} file(s)"

    def checkout(self, env: Environment) -> Path | None:
        """The CloudStack checkout: ``--cloudstack``, else the descriptor's marvin.cloudstack."""
        chosen = self.cloudstack or env.marvin.cloudstack
        return Path(chosen).expanduser() if chosen else None
