"""summary.md: the GitHub PR comment (verdict, counts, failures first, evidence, not verified)."""

from __future__ import annotations

from typing import Any

from vrtest.history.runhook import summary_chunks
from vrtest.masking import mask
from vrtest.reports.escape import excerpt, md_fence, md_text
from vrtest.reports.how import how_lines
from vrtest.reports.model import Row, RunReport
from vrtest.results import Outcome

LIMIT = 65_536  # GitHub's maximum comment body
CHANGED_SHOWN = 30  # changed file names listed in the comment (all are in selection.json)
_BUDGET = LIMIT - 600  # room for the truncation note
ICONS = {"FAILED": ":x:", "PASSED": ":white_check_mark:", "NOTHING VERIFIED": ":warning:"}
COUNT_LABELS = (("passed", "passed"), ("failed", "failed"), ("error", "error"),
                ("skipped", "skipped"), ("flaky", "flaky"), ("not_run", "not run"))


def render_summary(report: RunReport) -> str:
    """The whole comment, masked, under GitHub's 65,536-character limit."""
    chunks = [_header(report), _counts(report), *_failures(report),
              *summary_chunks(report.meta), *_how(report), *_evidence(report),
              *_selection(report), *_not_verified(report)]
    text, omitted = "", 0
    for chunk in chunks:
        chunk = mask(chunk)
        if omitted or len(text) + len(chunk) + 1 > _BUDGET:
            omitted += 1
            continue
        text += chunk + "\n"
    if omitted:
        text += (f"\n_Truncated: {omitted} more item(s) did not fit in a comment; "
                 "see report.html and junit.xml for everything._\n")
    return text


def _header(report: RunReport) -> str:
    meta = report.meta
    word = report.verdict.split(" (")[0]
    parts = [f"**env** {md_text(meta.get('env', ''))}",
             f"**hypervisor** {md_text(meta.get('hypervisor', '') or 'n/a')}"]
    if meta.get("commit"):
        parts.append(f"**commit** {md_text(str(meta['commit'])[:12])}")
    if meta.get("pr"):
        title = f" {md_text(meta['title'])}" if meta.get("title") else ""
        parts.append(f"**PR** \\#{md_text(str(meta['pr']))}{title}")
    if meta.get("branch"):
        parts.append(f"**branch** {md_text(meta['branch'])}")
    if meta.get("shard"):
        parts.append(f"**shard** {md_text(meta['shard'])}")
    parts.append(f"**duration** {report.duration:.1f} s")
    why = f" - {md_text(report.verdict_reason)}" if report.verdict_reason else ""
    return (f"## vrtest: {ICONS.get(word, ':warning:')} {report.verdict}{why}\n\n"
            + " · ".join(parts) + "\n")


def _how(report: RunReport) -> list[str]:
    lines = how_lines(report.meta)
    if not lines:
        return []
    return ["### How this was tested\n", *(f"- {md_text(line)}" for line in lines), ""]


def _counts(report: RunReport) -> str:
    counts = report.counts()
    head = " | ".join(label for _, label in COUNT_LABELS)
    values = " | ".join(str(counts[key]) for key, _ in COUNT_LABELS)
    return f"| {head} |\n|{'---|' * len(COUNT_LABELS)}\n| {values} |\n"


def _test_label(row: Row) -> str:
    """``Class.test`` (a setup error names its class too); checks name their router."""
    test = row.test
    if row.suite.kind != "checks" and test.classname:
        return f"{test.classname}.{test.name}"
    return test.name  # default-route[r-4-VM]


def _row_line(row: Row) -> str:
    test = row.test
    label = row.outcome.value.replace("_", " ").upper()
    return (f"| {md_text(_test_label(row))} | {label} | {test.duration:.1f} | "
            f"{md_text(row.suite.name)} |")


def _failures(report: RunReport) -> list[str]:
    rows = report.failed_rows + [r for r in report.rows if r.outcome is Outcome.FLAKY]
    if not rows:
        return []
    heading = "Failed tests" if report.failed_rows else "Flaky tests"
    chunks = [f"### {heading}\n\n| Test | Result | Time (s) | Suite |\n|---|---|---|---|"]
    chunks += [_row_line(row) for row in rows]
    chunks.append("")
    for row in rows:
        message = row.test.message or row.test.details
        if message:
            chunks.append(f"- **{md_text(_test_label(row))}**: {md_text(message[:300])}")
        if row.test.name == "(suite)" and row.test.details:
            chunks.append(md_fence(excerpt(row.test.details, 20, 2000)))
    return [*chunks, ""]


def _evidence(report: RunReport) -> list[str]:
    rows = [r for r in report.rows if r.test.evidence]
    rows.sort(key=lambda r: not r.outcome.is_failure)  # failing checks first
    if not rows:
        return []
    chunks = ["### VR evidence\n"]
    for row in rows:
        for item in row.test.evidence:
            target = item.target or row.test.classname
            head = (f"**{md_text(target)}** · {md_text(row.test.name)} · "
                    f"{row.outcome.value.replace('_', ' ').upper()}")
            note = f"\n\n{md_text(item.note)}" if item.note else ""
            body = f"$ {item.command}\n{excerpt(item.output)}"
            chunks.append(f"{head}{note}\n\n{md_fence(body)}\n")
    return chunks


def _selection(report: RunReport) -> list[str]:
    selection: dict[str, Any] = report.selection
    suites, checks = selection.get("suites", []), selection.get("checks", [])
    if not suites and not checks:
        return []
    chunks = ["### Selection\n"]
    for kind, items, key in (("suite", suites, "path"), ("check", checks, "name")):
        for item in items:
            reasons = "; ".join(str(r) for r in item.get("reasons") or []) or "selected"
            chunks.append(f"- {kind} {md_text(item.get(key, ''))}: {md_text(reasons)}")
    if selection.get("fallback"):
        chunks.append(f"- fallback: {md_text(str(selection['fallback']))}")
    return [*chunks, *_changed_files(selection), ""]


def _changed_files(selection: dict[str, Any]) -> list[str]:
    """The files the selection was made from (PR-controlled names: escaped, capped)."""
    changed = [str(path) for path in selection.get("changed") or []]
    if not changed:
        return []
    shown = ", ".join(md_text(path) for path in changed[:CHANGED_SHOWN])
    more = f" and {len(changed) - CHANGED_SHOWN} more" if len(changed) > CHANGED_SHOWN else ""
    return ["", f"Changed files ({len(changed)}): {shown}{more}"]


def _not_verified(report: RunReport) -> list[str]:
    notes = not_verified_notes(report)
    if not notes:
        return []
    return ["### Not verified\n", *[f"- {md_text(note)}" for note in notes], ""]


def not_verified_notes(report: RunReport) -> list[str]:
    """The run's notes, then NOT RUN entries grouped by reason (one line per reason)."""
    notes = [str(n) for n in report.meta.get("not_verified", [])]
    by_reason: dict[str, list[str]] = {}
    for row in report.rows:
        if row.outcome is Outcome.NOT_RUN:
            name = row.suite.name if row.test.name == "(suite)" else row.test.name
            by_reason.setdefault(row.test.message, []).append(name)
    for reason, names in by_reason.items():
        notes.append(f"not run ({len(names)}): {', '.join(names)}: {reason}")
    return list(dict.fromkeys(notes))
