"""Markdown for PR comments and mailing lists: PR-controlled text rendered literally.

One escaper for every Markdown vrtest writes (selection, run summary, matrix). It escapes
only what GitHub-flavoured Markdown would interpret (emphasis, code, links, tables, HTML,
strikethrough, line-start blocks, entities, @mentions), so ``r-4-VM`` and ``10.1.1.1``
stay readable as raw text.
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]|~])")
_LINE_START_BLOCK = re.compile(r"^([#+\-=>])")
_LINE_START_ORDERED = re.compile(r"^(\d+)([.)])")
_BACKTICK_RUN = re.compile(r"`+")
ZERO_WIDTH_SPACE = "\u200b"


def md_text(text: object) -> str:
    """Inline text on one line that renders literally: no links, HTML, emphasis, table breaks."""
    out = " ".join(str(text).split())  # a newline would end a table row
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _INLINE.sub(r"\\\1", out)
    out = _LINE_START_BLOCK.sub(r"\\\1", out)
    out = _LINE_START_ORDERED.sub(r"\1\\\2", out)
    return out.replace("@", "@" + ZERO_WIDTH_SPACE)  # no notification for @someone


def md_code(text: object) -> str:
    """Inline code on one line whose delimiters cannot be closed early by its content."""
    body = " ".join(str(text).split())
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{ticks}{pad}{body}{pad}{ticks}"


def md_fence(body: str, info: str = "text") -> str:
    """A fenced block whose fence is longer than any backtick run inside (cannot be closed)."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body.rstrip()}\n{fence}"
