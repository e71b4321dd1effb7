"""NO_COLOR on a real terminal: no escape codes at all, progress as plain lines."""

from __future__ import annotations

import os
import pty

from vrtest.console import Console


def _terminal_output(environ: dict[str, str]) -> str:
    """Run a status block and a result line with stdout and stderr on a real pty."""
    leader, follower = pty.openpty()
    try:
        with os.fdopen(os.dup(follower), "w") as tty:
            console = Console(out=tty, err=tty, environ=environ)
            with console.status("scanning the catalog"):
                console.info("halfway")
            console.print("done")
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(leader)


def test_no_color_terminal_gets_no_escape_codes() -> None:
    text = _terminal_output({"NO_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b" not in text
    assert "scanning the catalog" in text
    assert "done" in text


def test_colour_terminal_gets_the_live_spinner() -> None:
    text = _terminal_output({"TERM": "xterm-256color"})
    assert "\x1b" in text
