"""``vrtest report``: regenerate or merge run reports (junit.xml, summary.md, report.html)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from vrtest.console import Console
from vrtest.errors import ExitCode, UsageError
from vrtest.reports import write_reports
from vrtest.reports.merge import merge_runs
from vrtest.reports.model import load_report
from vrtest.reports.pr_comment import post_summary
from vrtest.runner.store import RESULTS, RUN_META, read_json
from vrtest.selector.github import GitHubApi, check_pr_number

NAME = "report"
HELP = "merge shard outputs, regenerate a run's reports, or post its PR comment"
EPILOG = """\
examples:
  vrtest report merge shard-1/ shard-2/ shard-3/ --output merged/
  vrtest report render out/                  regenerate out/'s reports from results.jsonl
  vrtest report render out/ --format json    counts and verdict as JSON
  GITHUB_TOKEN=... vrtest report comment out/ --pr 887
                                             post summary.md on PR 887, or update vrtest's
                                             earlier comment for the same environment
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``merge``, ``render`` and ``comment``."""
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
    comment = verbs.add_parser("comment", help="post summary.md as the PR comment (or update "
                               "vrtest's earlier one)", epilog=EPILOG,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    comment.add_argument("directory", metavar="DIR", help="a run directory with summary.md")
    comment.add_argument("--pr", required=True, help="the pull request number")
    comment.add_argument("--github-repo", help="OWNER/NAME (default apache/cloudstack)")
    comment.add_argument("--github-api", help="API base URL (default $GITHUB_API_URL or "
                         "https://api.github.com; https://HOST/api/v3 for Enterprise)")
    comment.add_argument("--key", help="which earlier comment to update (default: the run's env)")
    comment.add_argument("--format", choices=("text", "json"), default="text")
    comment.set_defaults(handler=handle_comment)


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


def handle_comment(args: argparse.Namespace, console: Console) -> int:
    """Post or update the PR comment; the token comes from GITHUB_TOKEN and is masked."""
    directory = Path(args.directory)
    summary = directory / "summary.md"
    if not summary.is_file():
        raise UsageError(f"{directory} has no summary.md",
                         hint="give a vrtest run directory (vrtest report render DIR makes it)")
    pr = check_pr_number(args.pr)
    api = GitHubApi.from_env(os.environ, base_url=args.github_api, repo=args.github_repo)
    key = args.key or str(read_json(directory / RUN_META).get("env") or "")
    posted = post_summary(api, pr, summary.read_text(encoding="utf-8"), key)
    if args.format == "json":
        console.print_json({"action": posted.action, "id": posted.comment_id, "url": posted.url,
                            "pr": pr, "key": key})
    else:
        console.print(f"{posted.action} comment {posted.url or posted.comment_id} on PR #{pr}")
    return int(ExitCode.OK)
