"""report.html: one self-contained page (Jinja2, autoescaped, StrictUndefined)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vrtest.masking import mask
from vrtest.reports.escape import excerpt
from vrtest.reports.how import how_lines
from vrtest.reports.markdown import COUNT_LABELS, not_verified_notes
from vrtest.reports.model import RunReport
from vrtest.results import Outcome

_TEMPLATES = Environment(
    loader=PackageLoader("vrtest", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(report: RunReport) -> str:
    """The page, masked."""
    template = _TEMPLATES.get_template("report.html.j2")
    failed_first = sorted(report.rows, key=lambda r: (not r.outcome.is_failure,
                                                      r.outcome is not Outcome.FLAKY))
    evidence = [(row, item) for row in report.rows for item in row.test.evidence]
    evidence.sort(key=lambda pair: not pair[0].outcome.is_failure)
    return mask(template.render(
        report=report, meta=report.meta, counts=report.counts(), labels=COUNT_LABELS,
        rows=failed_first, evidence=evidence, excerpt=excerpt,
        selection=report.selection, not_verified=not_verified_notes(report),
        how=how_lines(report.meta),
    ))
