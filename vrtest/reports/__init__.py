"""Reports, always regenerated from a run directory's ``results.jsonl`` and ``run.json``."""

from __future__ import annotations

from pathlib import Path

from vrtest.reports.html import render_html
from vrtest.reports.junit import render_junit
from vrtest.reports.markdown import render_summary
from vrtest.reports.model import load_report

JUNIT = "junit.xml"
SUMMARY = "summary.md"
HTML = "report.html"


def write_reports(directory: Path) -> list[Path]:
    """Write junit.xml, summary.md and report.html into ``directory``; return their paths."""
    report = load_report(directory)
    outputs = {JUNIT: render_junit(report), SUMMARY: render_summary(report),
               HTML: render_html(report)}
    written = []
    for name, text in outputs.items():
        path = directory / name
        temporary = path.with_name(name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    return written
