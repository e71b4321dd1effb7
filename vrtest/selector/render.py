"""Text and Markdown explanations of a :class:`Selection` (every decision, with its rule)."""

from __future__ import annotations

from vrtest.markdown import md_text
from vrtest.selector.selection import Selection

LISTED_SUITES = 20  # a decision selecting more (the whole VR set: 27) names the count instead
LISTED_SUITES_MARKDOWN = 6  # keeps a PR comment's decision table short; the suites table lists all


def decision_lines(selection: Selection, listed: int = LISTED_SUITES) -> list[tuple[str, str, str]]:
    """(path, what, why) for every changed path, in change order."""
    by_path: dict[str, list[tuple[str, str, str]]] = {}
    for d in selection.decisions:
        suites = list(d.suites) if len(d.suites) <= listed else [
            f"{len(d.suites)} suites (listed below)"]
        picks = ", ".join([*suites, *d.checks]) or "nothing (no VR impact)"
        by_path.setdefault(d.path, []).append((d.path, picks, f"{d.rule}: {d.reason}"))
    lines: list[tuple[str, str, str]] = []
    for path in selection.changed:
        lines += by_path.get(path) or [(path, "nothing", "no rule matches; not a VR path")]
    return lines


def summary_line(selection: Selection) -> str:
    """One line with the totals."""
    if selection.empty:
        return (f"no VR impact: {len(selection.changed)} changed file(s) select no suites "
                "and no VR checks")
    tests = sum(len(s.tests) for s in selection.suites)
    return (f"selected {len(selection.suites)} suite(s) ({tests} test(s)) and "
            f"{len(selection.checks)} VR check(s) for {len(selection.changed)} changed file(s)"
            + (" [fallback: whole VR set]" if selection.fallback else ""))


def render_text(selection: Selection) -> str:
    """Plain text: decisions, suites, checks, not verified, warnings, totals."""
    out = [f"catalog: {selection.catalog.get('label', 'unknown')}"]
    out += [f"note: {note}" for note in selection.notes]
    out += ["", "decisions (path -> suites/checks [rule: reason]):"]
    out += [f"  {path} -> {what} [{why}]" for path, what, why in decision_lines(selection)]
    if selection.suites:
        out += ["", "suites:"]
        for suite in selection.suites:
            count = f"{len(suite.tests)} test(s)" if suite.tests else "whole file"
            out.append(f"  {suite.path} ({count})")
            out += [f"      because {reason}" for reason in suite.reasons]
    if selection.checks:
        out += ["", "VR checks:"]
        out += [f"  {c.name}  because {'; '.join(c.reasons)}" for c in selection.checks]
    out += not_verified_lines(selection)
    out += [f"warning: {warning}" for warning in selection.warnings]
    out += ["", summary_line(selection)]
    return "\n".join(out)


def not_verified_lines(selection: Selection) -> list[str]:
    """Lines for what the environment could not verify."""
    if not selection.not_verified:
        return []
    lines = ["", "not verified here:"]
    for item in selection.not_verified:
        what = item.get("check") or item.get("suite")
        tests = item.get("tests")
        detail = f" ({len(tests)} test(s): {', '.join(tests)})" if tests else ""
        lines.append(f"  {what}{detail}: {item['reason']}")
    return lines


def render_markdown(selection: Selection) -> str:
    """Markdown for a PR comment or job summary; every file name is escaped."""
    out = ["### vrtest selection", "", md_text(summary_line(selection)), "",
           f"Catalog: {md_text(str(selection.catalog.get('label', 'unknown')))}"]
    quoted = [f"> {md_text(note)}" for note in selection.notes]
    quoted += [f"> **warning:** {md_text(w)}" for w in selection.warnings]
    out += ["", *quoted] if quoted else []
    out += ["", "| changed path | selects | rule: reason |", "|---|---|---|"]
    out += [f"| {md_text(p)} | {md_text(w)} | {md_text(r)} |"
            for p, w, r in decision_lines(selection, LISTED_SUITES_MARKDOWN)]
    if selection.suites:
        out += ["", "| suite | tests | why |", "|---|---|---|"]
        out += [f"| {md_text(s.path)} | {len(s.tests) or 'all'} | "
                f"{md_text('; '.join(s.reasons))} |" for s in selection.suites]
    if selection.checks:
        out += ["", "| VR check | why |", "|---|---|"]
        out += [f"| {md_text(c.name)} | {md_text('; '.join(c.reasons))} |"
                for c in selection.checks]
    if selection.not_verified:
        out += ["", "**Not verified in this environment:**", ""]
        out += [f"- {md_text(line.strip())}" for line in not_verified_lines(selection)[2:]]
    return "\n".join(out)
