"""Which routers a cell's VR checks look at: the environment's routers of the cell's kind.

A cell is one network kind, so its checks must not judge other kinds' routers (breaking one
router's default route must turn exactly its cells red). The routers are found through the
CloudStack API when the cell starts and handed to ``vrtest run`` in the cell's selection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vrtest.errors import UsageError
from vrtest.matrix.cells import Cell
from vrtest.results import SuiteResult

SELECTION_FILE = "matrix-selection.json"


def routers_of_kind(routers: Sequence[Any], *, vpc: bool, redundant: bool) -> tuple[str, ...]:
    """Names of the routers (``vrtest.cloudstack.discovery.Router``) of one network kind."""
    return tuple(
        router.name for router in routers
        if bool(router.vpc_id) == vpc and bool(router.redundant) == redundant
    )


def discover_cell_routers(cell: Cell, envs_dir: Path | None = None) -> tuple[str, ...]:
    """Ask the environment's API for its routers and keep those of ``cell``'s kind."""
    from vrtest.cloudstack.client import CloudStackClient
    from vrtest.cloudstack.discovery import discover_routers
    from vrtest.environment import load_environment

    env = load_environment(cell.env, envs_dir=envs_dir)
    management = env.management
    if management is None:
        raise UsageError(f"environment {cell.env} has no management API to list routers")
    client = CloudStackClient(management.api_url, management.api_key or "",
                              management.secret_key or "")
    return routers_of_kind(discover_routers(client), vpc=cell.vpc, redundant=cell.redundant)


def cell_selection(cell: Cell, routers: Sequence[str] | None) -> dict[str, Any]:
    """The selection record ``vrtest run --selection`` reads for one cell."""
    reason = f"matrix cell {cell.id} ({cell.title})"
    checks = list(cell.checks)
    not_verified = []
    if routers is not None and not routers:
        not_verified.append(f"VR checks: no {cell.title} routers in {cell.env}")
        checks = []
    record: dict[str, Any] = {
        "changed": [], "areas": [], "unmatched": [], "fallback": False,
        "suites": [{"path": path, "tests": [], "reasons": [reason]} for path in cell.suites],
        "checks": [{"name": name, "reasons": [reason]} for name in checks],
        "source": {"kind": "matrix", "plan": cell.plan, "cell": cell.id},
        "not_verified": not_verified,
    }
    if routers:
        record["routers"] = list(routers)
    return record


def write_nothing_to_run(cell: Cell, directory: Path) -> None:
    """Record a cell whose environment has no router of its kind (and no suites) as NOT RUN."""
    directory.mkdir(parents=True, exist_ok=True)
    result = SuiteResult(name="vr-checks", kind="checks", metadata={"not_run": "true"},
                         error=f"not run: no {cell.title} routers in {cell.env}")
    (directory / "results.jsonl").write_text(json.dumps(result.to_dict()) + "\n",
                                            encoding="utf-8")


def write_cell_selection(cell: Cell, directory: Path, routers: Sequence[str] | None) -> Path:
    """Write the cell's selection next to its run directory; returns its path."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    path = directory.parent / f".{cell.id}.{SELECTION_FILE}"
    path.write_text(json.dumps(cell_selection(cell, routers), indent=2) + "\n", encoding="utf-8")
    return path
