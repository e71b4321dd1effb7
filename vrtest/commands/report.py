"""``vrtest report``: regenerate or merge run reports (junit.xml, summary.md, report.html)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vrtest.console import Console
from vrtest.errors import ExitCode, UsageError
from vrtest.reports import write_reports
from vrtest.reports.merge import merge_runs
from vrtest.reports.model import load_report
from vrtest.runner.store import RESULTS

NAME = "report"
HELP = "merge shard outputs or regenerate the reports of a run directory"
EPILOG = """\
examples:
  vrtest report merge shard-1/ shard-2/ shard-3/ --output merged/
  vrtest report render out/                  regenerate out/'s reports from results.jsonl
  vrtest report render out/ --format json    counts and verdict as JSON
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``merge`` and ``render``."""
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    merge = verbs.add_parser("merge", help="merge run directories into one set of reports",
                             epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    merge.add_argument("inputs", nargs="+", metavar="DIR", help="run directories (shards)")
    merge.add_argument("--output", required=True, metavar="DIR", help="merged run directory")
    merge.add_argument("--format", choices=("text", "json"), default="text",
                       help="the merged verdict, its reason and counts on stdout")
    merge.set_defaults(handler=handle_merge)
    render = verbs.add_parser("render", help="regenerate a run directory's reports",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    render.add_argument("directory", metavar="DIR", help="a run directory")
    render.add_argument("--format", choices=("text", "json"), default="text",
                        help="the verdict, its reason and counts on stdout")
    render.set_defaults(handler=handle_render)


def _summarise(directory: Path, console: Console, fmt: str) -> int:
    report = load_report(directory)
    counts = report.counts()
    if fmt == "json":
        console.print_json({"directory": str(directory), "verdict": report.verdict,
                            "reason": report.verdict_reason, "counts": counts,
                            "suites": len(report.results)})
    else:
        console.print(report.outcome_text())
    failed = counts["failed"] or counts["error"]
    return int(ExitCode.FAILED if failed else ExitCode.OK)


def handle_merge(args: argparse.Namespace, console: Console) -> int:
    """Merge the inputs, then print the merged verdict."""
    output = Path(args.output)
    written = merge_runs([Path(d) for d in args.inputs], output)
    console.info(f"[reports] {', '.join(p.name for p in written)} in {output}")
    return _summarise(output, console, args.format)


def handle_render(args: argparse.Namespace, console: Console) -> int:
    """Regenerate the reports from results.jsonl + run.json."""
    directory = Path(args.directory)
    if not (directory / RESULTS).exists():
        raise UsageError(f"{directory} has no {RESULTS}", hint="give a vrtest run directory")
    written = write_reports(directory)
    console.info(f"[reports] {', '.join(p.name for p in written)} in {directory}")
    return _summarise(directory, console, args.format)
