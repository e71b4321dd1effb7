"""Exit codes and the error hierarchy, caught once in ``vrtest.cli.main``.

Three kinds of failure, three presentations (as pyinfra does):
a user or configuration error prints one line and exits 2; an unreachable
zone, host or server prints one line and exits 3; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Every exit status vrtest uses; documented in README.md."""

    OK = 0
    FAILED = 1  # tests or checks failed
    CONFIG = 2  # usage or configuration error
    UNREACHABLE = 3  # infrastructure unreachable
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM (e.g. a Jenkins abort)


class VrtestError(Exception):
    """An expected error shown to the user as one line, never a traceback."""

    exit_code: ExitCode = ExitCode.CONFIG

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and its fix, on one line."""
        text = " ".join(self.message.split())
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(VrtestError):
    """Bad command-line usage or input given on the command line."""


class ConfigError(VrtestError):
    """An error in a file the user wrote, located by path and line when known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = path or ""
        if path and line is not None:
            where = f"{path}:{line}"
        prefix = ": ".join(part for part in (where, key) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message, hint=hint)
        self.path = path
        self.line = line
        self.key = key


class UnreachableError(VrtestError):
    """A management server, host, router or API that could not be reached."""

    exit_code = ExitCode.UNREACHABLE


class Interrupted(VrtestError):
    """The run was stopped by a signal; partial results have been written."""

    def __init__(self, signal_name: str, exit_code: ExitCode) -> None:
        super().__init__(f"interrupted by {signal_name}; finished results were kept")
        self.exit_code = exit_code
