"""Render a checks SuiteResult as text (table + evidence of what went wrong), JSON or JUnit."""

from __future__ import annotations

import json

from vrtest.console import format_table
from vrtest.results import Outcome, SuiteResult, TestResult


def render(result: SuiteResult, fmt: str) -> str:
    """The report in ``fmt``: ``text``, ``json`` or ``junit``."""
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2)
    if fmt == "junit":
        from vrtest.reports.junit import render_junit
        from vrtest.reports.model import build_report

        return render_junit(build_report(dict(result.metadata), {}, [result]))
    return render_text(result)


def _property(test: TestResult, key: str) -> str:
    return dict(test.properties).get(key, "")


def render_text(result: SuiteResult) -> str:
    """A table of every verdict, then the evidence of each failure and error, then a summary."""
    if result.metadata.get("not_run"):
        return f"no VR checks run: {result.metadata['not_run']}"
    rows = [(_property(t, "router"), _property(t, "check"), t.outcome.value.upper(), t.message)
            for t in result.tests]
    parts = [format_table(("ROUTER", "CHECK", "RESULT", "DETAIL"), rows)] if rows else [
        "no routers matched"]
    parts += [_evidence_block(t) for t in result.tests if t.outcome is Outcome.FAILED]
    parts += _error_lines(result.tests)
    parts.append(summary_line(result))
    return "\n\n".join(parts)


def _evidence_block(test: TestResult) -> str:
    lines = [f"{test.outcome.value.upper()} {test.name}: {test.message}"]
    for evidence in test.evidence:
        note = f"   ({evidence.note})" if evidence.note else ""
        lines.append(f"  $ {evidence.command}{note}")
        lines += [f"    {line}" for line in evidence.output.splitlines()]
    return "\n".join(lines)


def _error_lines(tests: tuple[TestResult, ...]) -> list[str]:
    """One line per router that could not be checked, naming the checks it blocked."""
    blocked: dict[tuple[str, str], list[str]] = {}
    for test in tests:
        if test.outcome is Outcome.ERROR:
            key = (_property(test, "router"), test.message)
            blocked.setdefault(key, []).append(_property(test, "check"))
    return [f"ERROR {router} ({', '.join(checks)}): {message}"
            for (router, message), checks in blocked.items()]


def summary_line(result: SuiteResult) -> str:
    """``24 checks on 4 routers: 20 passed, 2 failed, 2 skipped in 1.3s``."""
    counts = {k: v for k, v in result.counts().items() if v}
    routers = len({_property(t, "router") for t in result.tests})
    detail = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items()) or "none"
    return (f"{len(result.tests)} checks on {routers} router(s): {detail} "
            f"in {result.duration:.1f}s")
