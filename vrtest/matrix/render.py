"""Write matrix.html (self-contained, escaped) and matrix.md from a :class:`MatrixReport`."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from vrtest.markdown import md_code, md_text
from vrtest.masking import mask
from vrtest.matrix.report import FAILURES_SHOWN, CellReport, MatrixReport

_TREND_MARKS = {"failed": "x", "passed": "."}


def render_html(report: MatrixReport) -> str:
    """The grid as one HTML page with inline CSS and SVG: no external resources."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("vrtest", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return mask(env.get_template("matrix.html.j2").render(report=report, limit=FAILURES_SHOWN))


def _md_cell(cell: CellReport | None) -> str:
    if cell is None:
        return "n/a"
    words = {"passed": "PASSED", "failed": "**FAILED**", "not-run": "not run",
             "no-results": "**NO RESULTS**"}
    text = f"{words[cell.status]} {cell.counts.get('passed', 0)}/{cell.total}"
    if cell.failed:
        text += f", {cell.failed} failed"
    if cell.counts.get("flaky"):
        text += f", {cell.counts['flaky']} flaky"
    trend = "".join(_TREND_MARKS.get(point.status, "-") for point in cell.trend)
    if trend:
        text += f" `{trend}`"
    return f"[{text}]({cell.link})" if cell.link else text


def render_markdown(report: MatrixReport) -> str:
    """The grid as a Markdown table, then the failing tests of each red cell."""
    red = report.red()
    lines = [
        f"# vrtest matrix: {md_text(report.plan)}", "",
        f"{md_text(report.description)}. Generated {report.generated}: "
        f"{len(report.cells)} cells, {len(red)} red.", "",
        "| environment | " + " | ".join(md_text(title) for _, title in report.kinds) + " |",
        "|---" * (len(report.kinds) + 1) + "|",
    ]
    for env in report.envs:
        row = [_md_cell(report.at(env, kind)) for kind, _ in report.kinds]
        lines.append(f"| {md_text(env)} | " + " | ".join(row) + " |")
    lines += ["", "Trend: one character per night, oldest first (`x` red, `.` green, "
              "`-` nothing run)."]
    for cell in red:
        lines += ["", f"## {md_text(cell.cell.env)}: {md_text(cell.cell.title)}", ""]
        lines += [f"- {md_code(name)}" for name in cell.failures[:FAILURES_SHOWN]]
        if len(cell.failures) > FAILURES_SHOWN:
            lines.append(f"- and {len(cell.failures) - FAILURES_SHOWN} more")
        if not cell.failures:
            lines.append("- no results (see the cell's log)")
    return mask("\n".join(lines) + "\n")


def write_reports(report: MatrixReport, output: Path) -> list[Path]:
    """Write matrix.html, matrix.md and matrix.json into ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    files = {
        "matrix.html": render_html(report),
        "matrix.md": render_markdown(report),
        "matrix.json": mask(json.dumps(report.to_dict(), indent=2)) + "\n",
    }
    written = []
    for name, text in files.items():
        path = output / name
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    return written
