"""``vrtest run``: select, run Marvin suites and VR checks against a zone, publish the evidence."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from vrtest.console import Console
from vrtest.errors import UsageError
from vrtest.runner.options import RunOptions
from vrtest.runner.shard import parse_shard

NAME = "run"
HELP = "select and run Marvin suites and VR checks against an environment; write reports"
DESCRIPTION = """\
Stages: changes -> selection -> plan -> deploy -> Marvin config -> Marvin suites -> VR checks
-> reports -> exit code. Every finished suite is appended to DIR/results.jsonl at once;
junit.xml, summary.md (the PR comment), report.html and selection.json are regenerated from it,
also after SIGINT/SIGTERM (exit 130/143). --resume DIR continues a run, skipping finished suites.
"""
EPILOG = """\
examples:
  vrtest run --env local --files systemvm/debian/opt/cloud/bin/cs/CsRoute.py
  vrtest run --pr 887 --env lab-kvm --output out/ --rerun-failures 1
  vrtest run --all --env lab-kvm --shard 2/4 --durations last/results.jsonl
  vrtest run --selection out/selection.json --env lab-xen --dry-run
  vrtest run --resume out/ --env lab-kvm           continue an interrupted run
  vrtest run --pr 887 --env lab-kvm --fail-on any  red on known and flaky failures too

exit codes: 0 passed, 1 failures, 2 configuration, 3 infrastructure, 130/143 interrupted
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``vrtest run``."""
    changes = parser.add_mutually_exclusive_group()
    changes.add_argument("--pr", type=int, metavar="N", help="a GitHub pull request")
    changes.add_argument("--diff", metavar="A...B", help="a git range in the CloudStack checkout")
    changes.add_argument("--files", nargs="+", metavar="PATH", help="changed paths")
    changes.add_argument("--files-from", metavar="FILE",
                         help="changed paths, one a line (- = stdin)")
    changes.add_argument("--all", action="store_true", dest="all_suites",
                         help="every suite and check in the catalog")
    changes.add_argument("--selection", metavar="FILE", help="a saved selection.json")
    parser.add_argument("--env", required=True, metavar="NAME", help="environment name or path")
    parser.add_argument("--envs-dir", metavar="DIR", help="directory of environment descriptors")
    parser.add_argument("--cloudstack", metavar="PATH",
                        help="CloudStack checkout (holds test/integration)")
    parser.add_argument("--output", metavar="DIR",
                        help="run directory (default vrtest-runs/ENV-TIME)")
    parser.add_argument("--shard", metavar="K/N", help="run shard K of N (deterministic)")
    parser.add_argument("--durations", metavar="FILE",
                        help="suite durations for --shard: JSON map or an earlier results.jsonl")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="suites at a time, if the environment is parallel_safe")
    parser.add_argument("--suite-timeout", type=float, metavar="S", help="seconds per suite")
    parser.add_argument("--rerun-failures", type=int, default=0, metavar="N",
                        help="rerun failed tests up to N times (pass on rerun = flaky)")
    parser.add_argument("--resume", metavar="DIR", help="continue the run in DIR")
    parser.add_argument("--dry-run", action="store_true", help="show the plan and commands only")
    parser.add_argument("--fail-on", choices=("new", "any"), default="new",
                        help="exit 1 on new failures only (default; known and flaky ones are "
                        "reported) or on any failure; classes come from the history baseline")
    parser.add_argument("--history", metavar="PATH",
                        help="history database for the baseline and --shard durations "
                        "(default $VRTEST_HISTORY or ~/.vrtest/history.sqlite)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="the plan (--dry-run) or the final result on stdout")
    parser.set_defaults(handler=handle)


def default_output(env: str) -> Path:
    """``vrtest-runs/<env>-<UTC time>``: a fresh directory, so a rerun never meets an old run."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return Path("vrtest-runs") / f"{Path(env).stem}-{stamp}"


def options_from_args(args: argparse.Namespace) -> RunOptions:
    """Validate the command line into :class:`RunOptions`."""
    given = [args.pr is not None, bool(args.diff), bool(args.files), bool(args.files_from),
             args.all_suites, bool(args.selection)]
    if not any(given) and not args.resume:
        raise UsageError("say what changed", hint="give one of --pr, --diff, --files, "
                         "--files-from, --all or --selection")
    if args.resume and args.output and Path(args.output) != Path(args.resume):
        raise UsageError("--resume DIR and --output differ", hint="give only --resume DIR")
    for flag, value in (("--jobs", args.jobs), ("--rerun-failures", args.rerun_failures + 1)):
        if value < 1:
            raise UsageError(f"{flag} must be positive", hint=f"e.g. {flag} 2")
    if args.suite_timeout is not None and args.suite_timeout <= 0:
        raise UsageError("--suite-timeout must be positive", hint="seconds, e.g. 3600")
    output = Path(args.resume or args.output or default_output(args.env))
    return RunOptions(
        env=args.env, output=output, pr=args.pr, diff=args.diff, files=tuple(args.files or ()),
        files_from=args.files_from, all_suites=args.all_suites,
        selection_file=Path(args.selection) if args.selection else None, envs_dir=args.envs_dir,
        cloudstack=args.cloudstack, shard=parse_shard(args.shard) if args.shard else None,
        durations=Path(args.durations) if args.durations else None, jobs=args.jobs,
        suite_timeout=args.suite_timeout, rerun_failures=args.rerun_failures,
        resume=bool(args.resume), dry_run=args.dry_run, format=args.format,
        argv=tuple(sys.argv[1:]),
        fail_on=args.fail_on, history=Path(args.history) if args.history else None,
    )


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the pipeline (imported here: ``vrtest --help`` stays fast)."""
    from vrtest.environment import load_environment
    from vrtest.runner.pipeline import run_pipeline

    options = options_from_args(args)
    envs_dir = Path(options.envs_dir) if options.envs_dir else None
    return run_pipeline(options, load_environment(options.env, envs_dir=envs_dir), console)
