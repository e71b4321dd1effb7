"""Fast-lane timings against a CloudStack checkout (needs root; not part of pytest).

    python benchmarks/bench_fastlane.py --cloudstack ~/cloudstack [--base REF] [--jobs 3]

Targets (2 cores): one non-redundant scenario < 2 s, a redundant pair < 12 s (VRRP election
included), all scenarios < 30 s, base-vs-PR differential of all scenarios < 60 s. Without
--base the differential runs the same tree as base and PR (the same amount of work).
"""

from __future__ import annotations

import argparse
import io
import os
import time
from collections.abc import Callable
from pathlib import Path

from vrtest.console import Console
from vrtest.fastlane.lane import LaneRequest, run_fastlane
from vrtest.fastlane.packages import default_cache_dir, package_root
from vrtest.fastlane.runner import new_workspace
from vrtest.fastlane.scenario import Scenario, list_scenarios
from vrtest.fastlane.tree import tree_at, vr_tree


def timed(label: str, target: float, work: Callable[[], object]) -> float:
    """Run ``work`` once and print its wall time against ``target``."""
    started = time.monotonic()
    work()
    took = time.monotonic() - started
    print(f"{label:<44} {took:6.2f} s   target < {target:g} s   "
          f"{'ok' if took < target else 'OVER'}", flush=True)
    return took


def main() -> None:
    """Measure and print the four figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cloudstack", type=Path,
                        default=Path(os.environ.get("VRTEST_CLOUDSTACK", ".")))
    parser.add_argument("--base", help="git ref for the differential run")
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    tree = vr_tree(args.cloudstack)
    base = tree_at(args.cloudstack, args.base, default_cache_dir()) if args.base else tree
    pkg = package_root()
    scenarios = {s.name: s for s in list_scenarios()}
    quiet = Console(io.StringIO(), io.StringIO(), environ={})

    def lane(chosen: list[Scenario], base_tree: Path | None = None) -> None:
        request = LaneRequest(tuple(chosen), tree, base_tree, args.jobs)
        results = run_fastlane(request, new_workspace(pkg), quiet)
        bad = [r.name for r in results if r.error]
        if bad:
            raise SystemExit(f"harness errors in {', '.join(bad)}")

    print(f"tree {tree}; {len(scenarios)} scenarios; {os.cpu_count()} cores; jobs {args.jobs}")
    for name in ("isolated", "vpc-2tier"):
        timed(f"one non-redundant scenario ({name})", 2, lambda n=name: lane([scenarios[n]]))
    timed("redundant pair (redundant-vpc)", 12, lambda: lane([scenarios["redundant-vpc"]]))
    timed("all scenarios", 30, lambda: lane(list(scenarios.values())))
    timed("base-vs-PR differential, all scenarios", 60,
          lambda: lane(list(scenarios.values()), base))


if __name__ == "__main__":
    main()
