"""Run cells: one run at a time per zone, several zones (environments) at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from vrtest.console import Console
from vrtest.matrix.cells import Cell

CellExecutor = Callable[[Cell, Path], int]  # runs one cell into its dir; returns the exit code
CELL_LOG = "matrix-cell.log"


@dataclass(frozen=True)
class CellRun:
    """How running one cell went (its results are in ``directory``)."""

    cell: Cell
    directory: Path
    exit_code: int
    seconds: float


def run_argv(cell: Cell, directory: Path, *, envs_dir: Path | None = None) -> list[str]:
    """The ``vrtest run`` command line for one cell (an argv list; never a shell string)."""
    argv = [sys.executable, "-m", "vrtest", "run", "--env", cell.env, "--output", str(directory)]
    if envs_dir:
        argv += ["--envs-dir", str(envs_dir)]
    for suite in cell.suites:
        argv += ["--suite", suite]
    for check in cell.checks:
        argv += ["--check", check]
    return argv


class SubprocessExecutor:
    """Runs each cell as a ``vrtest run`` child process, its output in the cell's log."""

    def __init__(self, *, envs_dir: Path | None = None) -> None:
        self.envs_dir = envs_dir
        self._children: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def __call__(self, cell: Cell, directory: Path) -> int:
        """Run ``cell`` into ``directory``; returns the child's exit code."""
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / CELL_LOG).open("wb") as log:
            child = subprocess.Popen(run_argv(cell, directory, envs_dir=self.envs_dir),
                                     stdout=log, stderr=subprocess.STDOUT)
            with self._lock:
                self._children.add(child)
            try:
                return child.wait()
            finally:
                with self._lock:
                    self._children.discard(child)

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


def stamp_cell(directory: Path, cell: Cell) -> None:
    """Record the cell in the run's run.json so history import knows its cell and plan."""
    path = directory / "run.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except json.JSONDecodeError:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    meta.setdefault("env", cell.env)
    meta.update({"cell": cell.id, "plan": cell.plan, "network_kind": cell.kind})
    directory.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


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
) -> list[CellRun]:
    """Run every cell into ``output/<cell id>``; zones in parallel, cells of a zone in turn."""
    groups = zone_groups(cells)
    results: list[CellRun] = []
    lock = threading.Lock()

    def run_group(group: list[Cell]) -> None:
        for cell in group:
            directory = output / cell.id
            console.info(f"cell {cell.id}: running ({len(cell.suites)} suites, "
                         f"{len(cell.checks)} checks)")
            start = time.monotonic()
            code = executor(cell, directory)
            stamp_cell(directory, cell)
            run = CellRun(cell, directory, code, time.monotonic() - start)
            console.info(f"cell {cell.id}: exit {code} after {run.seconds:.0f}s")
            with lock:
                results.append(run)

    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(groups)))) as pool:
        for future in [pool.submit(run_group, group) for group in groups]:
            future.result()
    order = {cell.id: index for index, cell in enumerate(cells)}
    return sorted(results, key=lambda run: order[run.cell.id])
