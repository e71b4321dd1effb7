"""Run cells: one run at a time per zone, several zones (environments) at once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from vrtest.console import Console
from vrtest.errors import ConfigError, VrtestError
from vrtest.matrix.cells import Cell
from vrtest.matrix.scope import (
    discover_cell_routers,
    write_cell_selection,
    write_nothing_to_run,
)
from vrtest.runner.store import read_json, write_json

CellExecutor = Callable[[Cell, Path], int]  # runs one cell into its dir; returns the exit code
CELL_LOG = "matrix-cell.log"


@dataclass(frozen=True)
class CellRun:
    """How running one cell went (its results are in ``directory``)."""

    cell: Cell
    directory: Path
    exit_code: int
    seconds: float


def run_argv(cell: Cell, directory: Path, selection: Path, *,
             envs_dir: Path | None = None, extra: Sequence[str] = ()) -> list[str]:
    """The ``vrtest run`` command line for one cell (an argv list; never a shell string)."""
    argv = [sys.executable, "-m", "vrtest", "run", "--selection", str(selection),
            "--env", cell.env, "--output", str(directory)]
    if envs_dir:
        argv += ["--envs-dir", str(envs_dir)]
    return [*argv, *extra]


class SubprocessExecutor:
    """Runs each cell as a ``vrtest run`` child process, its output in the cell's log."""

    def __init__(self, console: Console, *, envs_dir: Path | None = None,
                 extra: Sequence[str] = ()) -> None:
        self.console = console
        self.envs_dir = envs_dir
        self.extra = tuple(extra)
        self._children: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def __call__(self, cell: Cell, directory: Path) -> int:
        """Run ``cell`` into ``directory``; returns the child's exit code."""
        routers = self._routers(cell)
        if routers == () and not cell.suites:
            write_nothing_to_run(cell, directory)
            return 0
        selection = write_cell_selection(cell, directory, routers)
        directory.mkdir(parents=True, exist_ok=True)
        argv = run_argv(cell, directory, selection, envs_dir=self.envs_dir, extra=self.extra)
        with (directory / CELL_LOG).open("wb") as log:
            child = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
            with self._lock:
                self._children.add(child)
            try:
                return child.wait()
            finally:
                with self._lock:
                    self._children.discard(child)

    def _routers(self, cell: Cell) -> tuple[str, ...] | None:
        """The cell's routers, or None (checks unscoped) when they cannot be listed."""
        if not cell.checks:
            return None
        try:
            routers = discover_cell_routers(cell, self.envs_dir)
        except VrtestError as exc:
            self.console.warn(f"cell {cell.id}: routers not scoped to {cell.kind}: "
                              f"{exc.one_line()}")
            return None
        self.console.info(f"cell {cell.id}: {len(routers)} {cell.kind} router(s) "
                          f"{', '.join(routers)}")
        return routers

    def terminate(self) -> None:
        """Stop every running child (by its PID), e.g. when the matrix is interrupted."""
        with self._lock:
            children = list(self._children)
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


def stamp_cell(directory: Path, cell: Cell) -> str | None:
    """Record the cell in the run's run.json so history import knows its cell and plan;
    a damaged run.json is replaced by the cell's facts, and the warning is returned."""
    path = directory / "run.json"
    warning = None
    try:
        meta = read_json(path)
    except ConfigError as exc:
        meta, warning = {}, f"{exc.one_line()}; rewritten with the cell's facts only"
    meta.setdefault("env", cell.env)
    meta.update({"cell": cell.id, "plan": cell.plan, "network_kind": cell.kind})
    directory.mkdir(parents=True, exist_ok=True)
    write_json(path, meta)
    return warning


def zone_groups(cells: Sequence[Cell]) -> list[list[Cell]]:
    """Cells grouped by (environment, zone), each group in plan order."""
    groups: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells:
        groups.setdefault((cell.env, cell.zone), []).append(cell)
    return list(groups.values())


def run_cells(
    cells: Sequence[Cell],
    output: Path,
    executor: CellExecutor,
    console: Console,
    *,
    parallel: int = 4,
    on_interrupt: Callable[[], None] | None = None,
) -> list[CellRun]:
    """Run every cell into ``output/<cell id>``; zones in parallel, cells of a zone in turn.

    On an interrupt (SIGINT/SIGTERM in the main thread, or a cell raising), no further cell
    starts, ``on_interrupt`` stops the running ones, and finished cells stay on disk.
    """
    results: list[CellRun] = []
    lock, stopping = threading.Lock(), threading.Event()

    def run_group(group: list[Cell]) -> None:
        for cell in group:
            if stopping.is_set():
                return
            run = _run_one(cell, output / cell.id, executor, console)
            with lock:
                results.append(run)

    groups = zone_groups(cells)
    pool = ThreadPoolExecutor(max_workers=max(1, min(parallel, len(groups))))
    try:
        for future in [pool.submit(run_group, group) for group in groups]:
            future.result()
    except BaseException:
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        if on_interrupt is not None:
            on_interrupt()
        raise
    pool.shutdown()
    order = {cell.id: index for index, cell in enumerate(cells)}
    return sorted(results, key=lambda run: order[run.cell.id])


def _run_one(cell: Cell, directory: Path, executor: CellExecutor, console: Console) -> CellRun:
    console.info(f"cell {cell.id}: running ({len(cell.suites)} suites, "
                 f"{len(cell.checks)} checks)")
    start = time.monotonic()
    code = executor(cell, directory)
    warning = stamp_cell(directory, cell)
    if warning:
        console.warn(f"cell {cell.id}: {warning}")
    run = CellRun(cell, directory, code, time.monotonic() - start)
    console.info(f"cell {cell.id}: exit {code} after {run.seconds:.0f}s")
    return run
