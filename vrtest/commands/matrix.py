"""``vrtest matrix``: the nightly grid (environment x network kind), its reports, Jenkinsfile."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from vrtest.console import Console
from vrtest.errors import ExitCode, UsageError
from vrtest.history.importer import load_run
from vrtest.history.store import existing_store, open_store
from vrtest.matrix.cells import Cell, pick_cell, plan_cells
from vrtest.matrix.envfacts import EnvFacts, find_descriptor, load_env_facts
from vrtest.matrix.execute import SubprocessExecutor, run_cells
from vrtest.matrix.jenkins import jenkinsfile
from vrtest.matrix.plan import MatrixSpec, Plan, load_matrix
from vrtest.matrix.render import write_reports
from vrtest.matrix.report import collect
from vrtest.outputs import writing_output

NAME = "matrix"
HELP = "run the nightly matrix (environment x network kind) and write matrix.html/matrix.md"
DESCRIPTION = (
    "Cells are environment x network kind (isolated, isolated-redundant, vpc, vpc-redundant, "
    "vpc-vpn) from suites/matrix.yaml. Each cell is one `vrtest run` into OUTPUT/<cell id>; "
    "cells of one zone run one after another, environments in parallel."
)
EPILOG = """\
examples:
  vrtest matrix --plan lab                       the local lab's router kinds, checks only
  vrtest matrix --list --format json             the nightly plan's cells, suites and checks
  vrtest matrix --env lab-kvm --output nightly/  every lab-kvm cell
  vrtest matrix --cell lab-kvm-vpc --output matrix   one cell (what a Jenkins stage runs)
  vrtest matrix --report-only --output matrix    matrix.html/.md from finished cell dirs
  vrtest matrix --jenkinsfile > Jenkinsfile      parallel stage per cell, merge, history import
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add the matrix options."""
    parser.add_argument("--plan", default="nightly", help="plan in the matrix file")
    parser.add_argument("--env", nargs="+", action="extend", default=[], metavar="NAME",
                        help="only these environments of the plan")
    parser.add_argument("--cell", metavar="ID", help="run only this cell (e.g. local-vpc)")
    parser.add_argument("--output", type=Path, default=Path("vrtest-matrix"), metavar="DIR",
                        help="matrix directory: one run dir per cell (default vrtest-matrix)")
    parser.add_argument("--matrix-file", type=Path, default=None, metavar="PATH",
                        help="default ./suites/matrix.yaml")
    parser.add_argument("--envs-dir", type=Path, default=None, metavar="DIR",
                        help="directory of environment descriptors")
    parser.add_argument("--history", type=Path, default=None, metavar="PATH",
                        help="history for trends and each cell's baseline (default "
                        "$VRTEST_HISTORY or ~/.vrtest/history.sqlite; created only by --import)")
    parser.add_argument("--import", dest="import_runs", action="store_true",
                        help="import the finished cells into history (kind nightly)")
    parser.add_argument("--cloudstack", metavar="PATH",
                        help="CloudStack checkout for the Marvin suites (passed to vrtest run)")
    parser.add_argument("--parallel", type=int, default=4, metavar="N",
                        help="zones run at once (default 4)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="list the cells, run nothing")
    mode.add_argument("--jenkinsfile", action="store_true", help="print the Jenkinsfile")
    mode.add_argument("--report-only", action="store_true",
                      help="render matrix.html/.md from the cell dirs in --output")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=handler)


def handler(args: argparse.Namespace, console: Console) -> int:
    """Plan the cells, then list, print the Jenkinsfile, run, or only report."""
    spec = load_matrix(args.matrix_file)
    plan = spec.plan(args.plan)
    cells = plan_cells(spec, plan, _facts_loader(args, plan, console), only_envs=args.env)
    if args.cell:
        cells = [pick_cell(cells, args.cell)]
    if args.list:
        return _list(cells, console, args.format)
    if not cells:  # a matrix that runs nothing must not come out green
        raise UsageError(f"plan {plan.name}: no cell to run (none of its environments has a "
                         "descriptor here, or none offers its network kinds)",
                         hint="pass --envs-dir, set VRTEST_ENV_PATH, or add "
                              "environments/<name>.yaml")
    if args.jenkinsfile:
        console.print(jenkinsfile(plan.name, cells).rstrip("\n"))
        return int(ExitCode.OK)
    if not args.report_only:
        _refuse_finished_cells(cells, args.output)
        with writing_output(args.output):
            args.output.mkdir(parents=True, exist_ok=True)
        executor = SubprocessExecutor(console, envs_dir=args.envs_dir, extra=_run_extra(args))
        run_cells(cells, args.output, executor, console, parallel=max(1, args.parallel),
                  on_interrupt=executor.terminate)
    if args.import_runs:
        _import(args, cells, console)
    if args.cell:
        console.info(f"cell {args.cell} done; render the grid with --report-only")
        return _cell_exit(spec, plan, cells, args)
    return _report(spec, plan, cells, args, console)


def _facts_loader(
    args: argparse.Namespace, plan: Plan, console: Console
) -> Callable[[str], EnvFacts]:
    """Descriptor facts; plan envs without a descriptor are skipped with a warning."""

    def load(name: str) -> EnvFacts:
        if not args.env and find_descriptor(name, args.envs_dir) is None:
            console.warn(f"plan {plan.name}: no descriptor for environment {name}; skipped")
            return EnvFacts(name, Path(), frozenset(), False, (), None, (), False)
        return load_env_facts(name, args.envs_dir)

    return load


def _refuse_finished_cells(cells: list[Cell], output: Path) -> None:
    """Never mix tonight's cells with an earlier matrix's: one output dir per matrix run."""
    done = [cell.id for cell in cells if (output / cell.id / "results.jsonl").exists()]
    if done:
        raise UsageError(f"{output} already holds results for {', '.join(done)}",
                         hint="pick a fresh --output, or render it with --report-only")


def _run_extra(args: argparse.Namespace) -> list[str]:
    """Options every cell's ``vrtest run`` gets (history: the baseline for classification)."""
    extra = ["--cloudstack", args.cloudstack] if args.cloudstack else []
    if args.history:
        extra += ["--history", str(args.history)]
    return extra


def _list(cells: list[Cell], console: Console, fmt: str) -> int:
    if fmt == "json":
        console.print_json([cell.to_dict() for cell in cells])
        return int(ExitCode.OK)
    console.table(["cell", "env", "zone", "kind", "suites", "checks"],
                  [[c.id, c.env, c.zone, c.kind, str(len(c.suites)), ",".join(c.checks)]
                   for c in cells])
    return int(ExitCode.OK)


def _import(args: argparse.Namespace, cells: list[Cell], console: Console) -> None:
    store = open_store(args.history)
    try:
        for cell in cells:
            directory = args.output / cell.id
            if (directory / "results.jsonl").is_file():
                outcome = store.import_run(load_run(directory, kind="nightly").record)
                console.info(f"history: {cell.id} {outcome}")
    finally:
        store.close()


def _cell_exit(spec: MatrixSpec, plan: Plan, cells: list[Cell], args: argparse.Namespace) -> int:
    report = collect(spec, plan, cells, args.output)
    return int(ExitCode.FAILED) if report.red() else int(ExitCode.OK)


def _report(spec: MatrixSpec, plan: Plan, cells: list[Cell], args: argparse.Namespace,
            console: Console) -> int:
    with existing_store(args.history) as store:
        report = collect(spec, plan, cells, args.output, store=store)
    for path in write_reports(report, args.output):
        console.info(f"wrote {path}")
    red = report.red()
    if args.format == "json":
        console.print_json(report.to_dict())
    else:
        console.table(["cell", "status", "passed", "failed", "report"],
                      [[c.cell.id, c.status, str(c.counts.get("passed", 0)), str(c.failed),
                        c.link or "-"] for c in report.cells.values()])
    return int(ExitCode.FAILED) if red else int(ExitCode.OK)
