"""``python -m vrtest.fastlane``: run fast-lane scenarios against a CloudStack checkout."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from vrtest.console import Console
from vrtest.errors import ExitCode, Interrupted, UsageError, VrtestError
from vrtest.fastlane.lane import LaneRequest, run_fastlane
from vrtest.fastlane.ns import require_root
from vrtest.fastlane.packages import default_cache_dir, package_root
from vrtest.fastlane.runner import new_workspace
from vrtest.fastlane.scenario import select_scenarios
from vrtest.fastlane.tree import tree_at, vr_tree
from vrtest.results import SuiteResult

EPILOG = """\
examples:
  python -m vrtest.fastlane --cloudstack ~/cloudstack                  every scenario at HEAD
  python -m vrtest.fastlane --cloudstack ~/cloudstack -s vpc-2tier     one scenario
  python -m vrtest.fastlane --cloudstack ~/cloudstack --base main      state changes vs main
  python -m vrtest.fastlane --list                                      the scenarios
"""


def build_parser() -> argparse.ArgumentParser:
    """Arguments of the fast-lane entry point."""
    parser = argparse.ArgumentParser(prog="python -m vrtest.fastlane", epilog=EPILOG,
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cloudstack", type=Path, help="CloudStack checkout (the PR's tree)")
    parser.add_argument("--ref", help="use the tree at this git ref instead of the work tree")
    parser.add_argument("--base", help="git ref of the target branch: report state changes")
    parser.add_argument("-s", "--scenario", action="append", default=[], help="repeatable")
    parser.add_argument("--suites", type=Path, help="scenario directory (default suites/fastlane)")
    parser.add_argument("--jobs", type=int, default=3, help="scenarios at a time (default 3)")
    parser.add_argument("--no-packages", action="store_true",
                        help="use the host's binaries instead of the VR package cache")
    parser.add_argument("--list", action="store_true", help="list scenarios and exit")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run; return an exit code (0 all passed, 1 failures, 2 usage, 143 SIGTERM)."""
    args = build_parser().parse_args(argv)
    console = console or Console()
    previous = signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        return _run(args, console)
    except VrtestError as exc:
        console.error(exc.one_line())
        return int(exc.exit_code)
    except KeyboardInterrupt:
        console.error("interrupted by SIGINT; sandboxes removed")
        return int(ExitCode.INTERRUPTED)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Interrupted("SIGTERM", ExitCode.TERMINATED)


def _run(args: argparse.Namespace, console: Console) -> int:
    scenarios = select_scenarios(args.scenario, args.suites)
    if args.list:
        rows = [[s.name, ",".join(r.name for r in s.routers), s.description] for s in scenarios]
        if args.format == "json":
            console.print_json([dict(zip(("name", "routers", "description"), r, strict=True))
                                for r in rows])
        else:
            console.table(["scenario", "routers", "description"], rows)
        return int(ExitCode.OK)
    if args.cloudstack is None:
        raise UsageError("--cloudstack PATH is required", hint="a CloudStack checkout")
    require_root()
    cache = default_cache_dir()
    tree = tree_at(args.cloudstack, args.ref, cache) if args.ref else vr_tree(args.cloudstack)
    base = tree_at(args.cloudstack, args.base, cache) if args.base else None
    with console.status("preparing the VR package cache"):
        pkg = None if args.no_packages else package_root()
    request = LaneRequest(tuple(scenarios), tree, base, max(1, args.jobs))
    results = run_fastlane(request, new_workspace(pkg), console)
    _print(console, results, args.format)
    return int(ExitCode.FAILED if any(r.failed for r in results) else ExitCode.OK)


def _print(console: Console, results: list[SuiteResult], fmt: str) -> None:
    if fmt == "json":
        console.print(json.dumps([r.to_dict() for r in results], indent=2))
        return
    for result in results:
        console.print(f"{result.name}: {'FAILED' if result.failed else 'passed'}"
                      f"{' - ' + result.error if result.error else ''}")
        for test in result.tests:
            line = f"  {test.outcome.value:7} {test.name}"
            console.print(line + (f": {test.message}" if test.message else ""))
            if test.name == "state-diff" and test.evidence:
                for change in test.evidence[0].output.splitlines():
                    console.print(f"    {change}")


if __name__ == "__main__":
    sys.exit(main())
