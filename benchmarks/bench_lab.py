"""Lab benchmarks (plain script, root): ``lab up`` of the default lab and of ``--routers 50``.

    sudo python benchmarks/bench_lab.py               # default lab, then --routers 50
    sudo python benchmarks/bench_lab.py --routers 10  # a smaller scale run

Budgets (issue 4): default lab up < 10 s; ``--routers 50`` < 30 s; memory per VR is reported
(RSS and PSS of each router's processes: sshd, dnsmasq, and keepalived on the redundant pair).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.lab.conftest import lab_can_run, write_descriptor  # noqa: E402
from vrtest.console import Console  # noqa: E402
from vrtest.lab.config import load_lab_config  # noqa: E402
from vrtest.lab.down import lab_down  # noqa: E402
from vrtest.lab.paths import LabPaths  # noqa: E402
from vrtest.lab.probe import pss_kib, rss_kib  # noqa: E402
from vrtest.lab.state import LabState  # noqa: E402
from vrtest.lab.up import lab_up  # noqa: E402

BUDGETS = {0: 10.0, 50: 30.0}


def measure(directory: Path, extra_routers: int) -> dict[str, float | int]:
    """Bring a lab up, time it, read per-router RSS, bring it down (timed too)."""
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = write_descriptor(directory, tag=f"b{extra_routers}")
    config = load_lab_config(str(descriptor))
    console = Console(io.StringIO(), io.StringIO())
    started = time.monotonic()
    try:
        lab_up(config, console, extra_routers=extra_routers)
        up_seconds = time.monotonic() - started
        per_router = router_memory(LabPaths.of(config), rss_kib)
        per_router_pss = router_memory(LabPaths.of(config), pss_kib)
    finally:
        down_started = time.monotonic()
        lab_down(config, console)
    return {
        "routers": len(per_router),
        "up_seconds": round(up_seconds, 2),
        "down_seconds": round(time.monotonic() - down_started, 2),
        "rss_kib_per_vr_mean": round(statistics.mean(per_router.values())),
        "rss_kib_per_vr_max": max(per_router.values()),
        "rss_mib_total": round(sum(per_router.values()) / 1024, 1),
        "pss_kib_per_vr_mean": round(statistics.mean(per_router_pss.values())),
    }


def router_memory(paths: LabPaths, measure: Callable[[int], int]) -> dict[str, int]:
    """``measure`` (KiB) of each router's recorded processes and their children."""
    state = LabState.load(paths.state_file)
    totals: dict[str, int] = {}
    for key, record in state.processes().items():
        name = key.split("/", 1)[0]
        if name.startswith("r-"):
            totals[name] = totals.get(name, 0) + measure(record["pid"])
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routers", type=int, default=50, help="extra routers for the scale run")
    args = parser.parse_args()
    reason = lab_can_run()
    if reason:
        print(f"skipped: the lab {reason}")
        return 0
    figures = {}
    with tempfile.TemporaryDirectory(prefix=f"bench-lab-{os.getpid()}-") as directory:
        for extra in (0, args.routers):
            figures[extra] = measure(Path(directory) / f"r{extra}", extra)
            budget = BUDGETS.get(extra)
            verdict = "" if budget is None else (
                " (within budget)" if figures[extra]["up_seconds"] < budget
                else f" (OVER the {budget:g} s budget)")
            print(f"lab up --routers {extra}: {json.dumps(figures[extra])}{verdict}")
    over = [e for e, f in figures.items() if e in BUDGETS and float(f["up_seconds"]) >= BUDGETS[e]]
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
