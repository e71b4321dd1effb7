"""Markdown escaping for PR-controlled text (titles, branch names, file names, test output)."""

from __future__ import annotations

from vrtest.markdown import md_fence, md_text

__all__ = ["excerpt", "md_fence", "md_text"]


def excerpt(text: str, max_lines: int = 30, max_chars: int = 3000) -> str:
    """The first lines of ``text``, marked when cut."""
    lines = text.splitlines()
    cut = "\n".join(lines[:max_lines])
    if len(cut) > max_chars:
        cut = cut[:max_chars]
    if cut != text.rstrip("\n"):
        cut += f"\n... ({len(lines)} lines in total, cut)"
    return cut
