"""Fast-lane timings against a CloudStack checkout (needs root; not part of pytest).

    python benchmarks/bench_fastlane.py --cloudstack ~/cloudstack [--base REF] [--jobs 3]

Targets (2 cores): one non-redundant scenario < 2 s, a redundant pair < 12 s (VRRP election
included), all scenarios < 30 s, base-vs-PR differential of all scenarios < 60 s. Without
--base the differential runs the same tree as base and PR (the same amount of work).

Single scenarios also print where the time went: ``scripts`` (boot emulation and every
update_config.py, i.e. CloudStack's own code), ``outside`` (peer machines), ``settle`` (the
VRRP election) and the harness's own share (sandboxes, checks and state capture, teardown).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
from collections.abc import Callable
from pathlib import Path

from vrtest.console import Console
from vrtest.fastlane.lane import LaneRequest, run_fastlane
from vrtest.fastlane.packages import default_cache_dir, package_root
from vrtest.fastlane.runner import ScenarioRun, new_workspace, run_scenario
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

    def single(name: str, target: float, label: str) -> None:
        ws = new_workspace(pkg)
        run = run_scenario(scenarios[name], tree, ws)
        with contextlib.suppress(OSError):
            ws.run_dir.rmdir()  # empty once the scenario's sandboxes are gone
        if run.error:
            raise SystemExit(f"harness error in {name}: {run.error}")
        print(f"{label + f' ({name})':<44} {run.duration:6.2f} s   target < {target:g} s   "
              f"{'ok' if run.duration < target else 'OVER'}", flush=True)
        print(f"    {split(run)}", flush=True)

    print(f"tree {tree}; {len(scenarios)} scenarios; {os.cpu_count()} cores; jobs {args.jobs}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name in ("isolated", "vpc-2tier"):
        single(name, 2, "one non-redundant scenario")
    single("redundant-vpc", 12, "redundant pair")
    timed("all scenarios", 30, lambda: lane(list(scenarios.values())))
    timed("base-vs-PR differential, all scenarios", 60,
          lambda: lane(list(scenarios.values()), base))


def split(run: ScenarioRun) -> str:
    """``scripts 1.52 s + harness 0.21 s (sandboxes 0.09, checks 0.05, ...; probes 0.18 ...)``.

    ``sandboxes`` includes the probe endpoints; the data-plane probes run during ``checks``.
    """
    shown = [name for name in ("scripts", "outside", "settle") if run.phases.get(name, 0) > 0.005]
    work = " + ".join(f"{name} {run.phases[name]:.2f} s" for name in shown)
    own = {name: run.phases.get(name, 0.0) for name in ("sandboxes", "checks")}
    own["peer/teardown"] = run.harness_time() - sum(own.values())
    parts = ", ".join(f"{name} {value:.2f}" for name, value in own.items())
    parts += f"; probes {run.phases.get('probes', 0.0):.2f} within checks"
    return f"{work} + harness {run.harness_time():.2f} s ({parts})"


if __name__ == "__main__":
    main()
