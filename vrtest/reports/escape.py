"""Markdown escaping for PR-controlled text (titles, branch names, file names, test output)."""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_BACKTICK_RUN = re.compile(r"`+")
ZERO_WIDTH_SPACE = "\u200b"


def md_text(text: str) -> str:
    """Inline text that renders literally: no links, HTML, emphasis, table breaks or @mentions."""
    text = " ".join(str(text).split())  # one line: a newline would end a table row
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _PUNCTUATION.sub(r"\\\1", text)
    return text.replace("@", "@" + ZERO_WIDTH_SPACE)  # no notification for @someone


def md_fence(body: str, info: str = "text") -> str:
    """A fenced block whose fence is longer than any backtick run inside (cannot be closed)."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body.rstrip()}\n{fence}"


def excerpt(text: str, max_lines: int = 30, max_chars: int = 3000) -> str:
    """The first lines of ``text``, marked when cut."""
    lines = text.splitlines()
    cut = "\n".join(lines[:max_lines])
    if len(cut) > max_chars:
        cut = cut[:max_chars]
    if cut != text.rstrip("\n"):
        cut += f"\n... ({len(lines)} lines in total, cut)"
    return cut
