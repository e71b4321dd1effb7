"""``vrtest history``: import runs into the history store, flake rates, durations, baselines."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.errors import ExitCode, UsageError, VrtestError
from vrtest.history import baseline, stats
from vrtest.history.api import classify_results
from vrtest.history.importer import (
    RESULTS_FILE,
    RUN_FILE,
    find_run_dirs,
    load_run,
    read_results,
)
from vrtest.history.records import BASELINE_KINDS, RUN_KINDS
from vrtest.history.store import HistoryStore, default_history_path, open_store
from vrtest.history.timeparse import parse_since
from vrtest.runner.store import read_json

NAME = "history"
HELP = "import runs into the history store; flake rates, durations, new/known/flaky failures"
DESCRIPTION = (
    "Every run (and every matrix cell) can be imported into an embedded SQLite store "
    "(--history PATH, $VRTEST_HISTORY, default ~/.vrtest/history.sqlite). Main and nightly "
    "runs are the baseline a PR run's failures are judged against."
)
EPILOG = """\
examples:
  vrtest history import vrtest-output/                  one run dir, or a matrix output dir
  vrtest history import --kind nightly nightly-2026-11-26/
  vrtest history show --env lab-kvm --last 20           flake rate per test, worst first
  vrtest history show --test test_vpc_redundant --since 14d --format json
  vrtest history runs --env local --limit 10
  vrtest history durations --env lab-kvm                mean seconds per suite (for --shard)
  vrtest history classify vrtest-output/ --fail-on new  judge a run's failures against main
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add the history sub-subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--history", metavar="PATH", type=Path, default=None,
                        help="history database (default $VRTEST_HISTORY or "
                        "~/.vrtest/history.sqlite)")
    common.add_argument("--format", choices=("text", "json"), default="text")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    _register_import(verbs, common)
    _register_show(verbs, common)
    _register_runs(verbs, common)
    _register_durations(verbs, common)
    _register_classify(verbs, common)


def _register_import(verbs: argparse._SubParsersAction[argparse.ArgumentParser],
                     common: argparse.ArgumentParser) -> None:
    sub = verbs.add_parser("import", parents=[common], help="import run or matrix output dirs")
    sub.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    sub.add_argument("--kind", choices=RUN_KINDS, default=None,
                     help="lane of these runs (default: pr when run.json names a PR, nightly "
                     "for matrix cells, else main)")
    sub.set_defaults(handler=import_handler)


def _register_show(verbs: argparse._SubParsersAction[argparse.ArgumentParser],
                   common: argparse.ArgumentParser) -> None:
    sub = verbs.add_parser("show", parents=[common],
                           help="flake rate per test over the last N runs")
    _add_filters(sub)
    sub.add_argument("--last", type=_positive, default=20, metavar="N",
                     help="newest runs per test to look at (default 20)")
    sub.set_defaults(handler=show_handler)


def _register_runs(verbs: argparse._SubParsersAction[argparse.ArgumentParser],
                   common: argparse.ArgumentParser) -> None:
    sub = verbs.add_parser("runs", parents=[common], help="stored runs, newest first")
    _add_filters(sub, with_test=False)
    sub.add_argument("--limit", type=_positive, default=50, metavar="N")
    sub.set_defaults(handler=runs_handler)


def _register_durations(verbs: argparse._SubParsersAction[argparse.ArgumentParser],
                        common: argparse.ArgumentParser) -> None:
    sub = verbs.add_parser("durations", parents=[common], help="mean duration per suite")
    sub.add_argument("--env", required=True, metavar="NAME")
    sub.add_argument("--last", type=_positive, default=10, metavar="N")
    sub.set_defaults(handler=durations_handler)


def _register_classify(verbs: argparse._SubParsersAction[argparse.ArgumentParser],
                       common: argparse.ArgumentParser) -> None:
    sub = verbs.add_parser("classify", parents=[common],
                           help="classify a run's failures as new, known or flaky")
    sub.add_argument("dir", type=Path, metavar="DIR")
    sub.add_argument("--env", metavar="NAME", help="baseline environment (default: run.json's)")
    sub.add_argument("--fail-on", choices=baseline.FAIL_ON_CHOICES, default="new")
    sub.add_argument("--last", type=_positive, default=baseline.DEFAULT_POLICY.last, metavar="N")
    sub.add_argument("--flaky-threshold", type=_positive, metavar="K",
                     default=baseline.DEFAULT_POLICY.flaky_threshold,
                     help="flipped runs among the last N that make a test flaky (default 2)")
    sub.set_defaults(handler=classify_handler)


def _add_filters(sub: argparse.ArgumentParser, *, with_test: bool = True) -> None:
    if with_test:
        sub.add_argument("--test", metavar="T", help="tests whose id contains T")
    sub.add_argument("--env", metavar="NAME")
    sub.add_argument("--since", metavar="D", help="a date, timestamp or age (7d, 12h)")
    sub.add_argument("--kind", choices=RUN_KINDS, action="append", default=None,
                     help="lanes to include (repeatable; default main and nightly)")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return value


def _open(args: argparse.Namespace, *, create: bool = False) -> HistoryStore:
    """The store; only ``import`` creates one (a typo'd --history must not make a new file)."""
    path = Path(args.history or default_history_path())
    if not create and not path.exists():
        raise UsageError(f"no history database at {path}",
                         hint="import runs first (vrtest history import DIR...) or point "
                              "--history (or VRTEST_HISTORY) at an existing one")
    return open_store(path)


def import_handler(args: argparse.Namespace, console: Console) -> int:
    """Import every run dir at or below the given dirs, one transaction per run."""
    run_dirs = find_run_dirs(args.dirs)
    store = _open(args, create=True)
    rows: list[dict[str, Any]] = []
    failures = 0
    try:
        with console.status(f"importing {len(run_dirs)} run(s) into history"):
            for run_dir in run_dirs:
                try:
                    loaded = load_run(run_dir, kind=args.kind)
                    outcome = store.import_run(loaded.record)
                except VrtestError as exc:
                    console.error(exc.one_line())
                    failures += 1
                    continue
                for warning in loaded.warnings:
                    console.warn(warning)
                record = loaded.record
                rows.append({"dir": str(run_dir), "run_id": record.run_id, "env": record.env,
                             "kind": record.kind, "cell": record.cell,
                             "tests": len(record.tests), "result": outcome})
    finally:
        store.close()
    if args.format == "json":
        console.print_json({"imported": rows, "errors": failures})
    else:
        console.table(["dir", "run", "env", "kind", "tests", "result"],
                      [[r["dir"], r["run_id"], r["env"], r["kind"], str(r["tests"]), r["result"]]
                       for r in rows])
    return int(ExitCode.CONFIG) if failures else int(ExitCode.OK)


def show_handler(args: argparse.Namespace, console: Console) -> int:
    """Flake rate, failures and mean duration per test, worst first."""
    store = _open(args)
    try:
        points = store.test_points(env=args.env, kinds=args.kind or BASELINE_KINDS,
                                   test=args.test, since=_since(args), last=args.last)
    finally:
        store.close()
    rows = sorted((stats.flake_stats(key, pts) for key, pts in points.items()),
                  key=lambda s: (-s.rate, -s.failed, s.test))
    if args.format == "json":
        console.print_json({"last": args.last, "tests": [row.to_dict() for row in rows]})
        return int(ExitCode.OK)
    if not rows:
        console.info("no matching test results in history")
        return int(ExitCode.OK)
    console.table(
        ["flake rate", "runs", "failed", "flaky", "mean s", "last", "test"],
        [[f"{s.rate:.0%}", str(s.runs), str(s.failed), str(s.flaky), f"{s.mean_duration:.1f}",
          s.last_outcome, s.test] for s in rows],
    )
    return int(ExitCode.OK)


def runs_handler(args: argparse.Namespace, console: Console) -> int:
    """Stored runs, newest first."""
    store = _open(args)
    try:
        runs = store.runs(env=args.env, kinds=args.kind or (), since=_since(args),
                          limit=args.limit)
    finally:
        store.close()
    if args.format == "json":
        console.print_json([run.to_dict() for run in runs])
        return int(ExitCode.OK)
    console.table(
        ["started", "env", "kind", "cell", "commit", "pr", "passed", "failed", "run"],
        [[r.started, r.env, r.kind, r.cell or "-", r.commit[:12] or "-", str(r.pr or "-"),
          str(r.counts.get("passed", 0)), str(r.failed), r.run_id] for r in runs],
    )
    return int(ExitCode.OK)


def durations_handler(args: argparse.Namespace, console: Console) -> int:
    """Mean duration per suite in one environment."""
    store = _open(args)
    try:
        durations = store.suite_durations(args.env, last=args.last)
    finally:
        store.close()
    if args.format == "json":
        console.print_json({"env": args.env, "last": args.last, "suites": durations})
    else:
        console.table(["mean s", "suite"], [[f"{d:.1f}", n] for n, d in durations.items()])
    return int(ExitCode.OK)


def classify_handler(args: argparse.Namespace, console: Console) -> int:
    """Classify a finished run's failures; the exit code follows ``--fail-on``."""
    suites, _ = read_results(_results_path(args.dir, RESULTS_FILE))
    env = args.env or str(read_json(args.dir / RUN_FILE).get("env") or "")
    if not env:
        raise UsageError(f"{args.dir}: run.json names no env", hint="pass --env NAME")
    policy = baseline.BaselinePolicy(last=args.last, flaky_threshold=args.flaky_threshold)
    results = classify_results(suites, env, history=args.history, policy=policy)
    red = baseline.should_fail(results, args.fail_on)
    if args.format == "json":
        console.print_json({"env": env, "fail_on": args.fail_on, "failed": red,
                            "failures": [item.to_dict() for item in results]})
    else:
        console.table(["class", "test", "why"],
                      [[c.failure_class.value, c.test, c.reason] for c in results])
        console.info(f"--fail-on {args.fail_on}: run is {'red' if red else 'green'}")
    return int(ExitCode.FAILED) if red else int(ExitCode.OK)


def _results_path(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise UsageError(f"{directory}: no {name}", hint="pass a `vrtest run --output` dir")
    return path


def _since(args: argparse.Namespace) -> str | None:
    return parse_since(args.since) if args.since else None
