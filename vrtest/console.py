"""Everything vrtest prints goes through :class:`Console`: masked, colour-aware, CI-aware.

On a terminal, progress is a live status line (rich); elsewhere (Jenkins logs,
pipes) it is plain ``HH:MM:SS message`` lines on stderr. ``NO_COLOR`` (any
non-empty value) turns colour off, as https://no-color.org asks.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from vrtest.masking import mask


def colour_enabled(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """True when ``stream`` is a terminal and neither NO_COLOR nor TERM=dumb is set."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Console:
    """Masked output for results (stdout) and progress and errors (stderr)."""

    def __init__(
        self,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        verbose: int = 0,
    ) -> None:
        self.out_stream = out if out is not None else sys.stdout
        self.err_stream = err if err is not None else sys.stderr
        self.environ = dict(os.environ if environ is None else environ)
        self.verbose = verbose
        self.colour = colour_enabled(self.out_stream, self.environ)
        # NO_COLOR / TERM=dumb also drop the spinner: no cursor escapes, plain progress lines.
        self.live = colour_enabled(self.err_stream, self.environ)

    def print(self, text: str = "") -> None:
        """Write a line of results to stdout."""
        self.out_stream.write(mask(text) + "\n")
        self.out_stream.flush()

    def print_json(self, data: Any) -> None:
        """Write ``data`` as indented JSON to stdout."""
        self.print(json.dumps(data, indent=2, sort_keys=False, default=str))

    def error(self, text: str) -> None:
        """Write one error line to stderr."""
        self.err_stream.write(mask(f"vrtest: error: {text}") + "\n")
        self.err_stream.flush()

    def warn(self, text: str) -> None:
        """Write one warning line to stderr."""
        self.err_stream.write(mask(f"vrtest: warning: {text}") + "\n")
        self.err_stream.flush()

    def info(self, text: str) -> None:
        """A progress line: timestamped on stderr (live terminals get the same line)."""
        stamp = time.strftime("%H:%M:%S")
        self.err_stream.write(mask(f"{stamp} {text}") + "\n")
        self.err_stream.flush()

    def debug(self, text: str) -> None:
        """A progress line shown only with ``-v``."""
        if self.verbose:
            self.info(text)

    @contextlib.contextmanager
    def status(self, text: str) -> Iterator[None]:
        """Show ``text`` while a block runs: a spinner on a terminal, a start line in CI."""
        if not self.live:
            self.info(text)
            yield
            return
        from rich.console import Console as RichConsole

        rich = RichConsole(file=self.err_stream, no_color=not self.colour, highlight=False)
        with rich.status(mask(text)):
            yield

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Print a plain aligned text table (stable for logs, diffs and tests)."""
        self.print(format_table(headers, rows))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align columns with two spaces; the last column is never padded."""
    cells = [list(headers)] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
