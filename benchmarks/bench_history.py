"""History benchmarks (plain script): import 1,000 runs x 200 tests; classify against 10,000 runs.

    python benchmarks/bench_history.py            # full figures, checks the budgets
    python benchmarks/bench_history.py --quick    # smaller, for a smoke run

Budgets (issue 8): import < 10 s; classifying a PR run's failures < 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from vrtest.history.api import classify_results
from vrtest.history.importer import load_run
from vrtest.history.records import RunRecord, SuiteRow, TestRow
from vrtest.history.sqlite import SqliteHistoryStore
from vrtest.results import Outcome, SuiteResult, TestResult

SUITES = 20


def write_run_dir(directory: Path, index: int, tests: int, rng: random.Random) -> None:
    """One realistic run dir: run.json + results.jsonl with ``tests`` results."""
    directory.mkdir(parents=True)
    per_suite = tests // SUITES
    lines = []
    for s in range(SUITES):
        results = tuple(
            TestResult(name=f"test_{t:03d}", classname=f"TestSuite{s}",
                       outcome=Outcome.FAILED if rng.random() < 0.02 else Outcome.PASSED,
                       duration=rng.uniform(1, 60))
            for t in range(per_suite)
        )
        suite = SuiteResult(name=f"smoke/test_s{s:02d}.py", kind="marvin", tests=results,
                            duration=sum(r.duration for r in results))
        lines.append(json.dumps(suite.to_dict()))
    (directory / "results.jsonl").write_text("\n".join(lines) + "\n")
    day, hour = divmod(index, 24)
    meta = {"env": "lab-kvm", "commit": f"{index:040x}", "started":
            f"2026-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{hour:02d}:00:00Z"}
    (directory / "run.json").write_text(json.dumps(meta))


def bench_import(root: Path, runs: int, tests: int) -> float:
    """Seconds to import ``runs`` run dirs (read + parse + store) into a fresh store."""
    rng = random.Random(8)
    dirs = [root / f"run{i:05d}" for i in range(runs)]
    for index, directory in enumerate(dirs):
        write_run_dir(directory, index, tests, rng)
    store = SqliteHistoryStore(root / "import.sqlite")
    start = time.perf_counter()
    for directory in dirs:
        store.import_run(load_run(directory).record)
    elapsed = time.perf_counter() - start
    assert store.counts()["results"] == runs * tests
    store.close()
    return elapsed


def build_history(path: Path, runs: int, tests: int) -> None:
    """``runs`` main runs of ``tests`` tests, some always failing, some flipping."""
    store = SqliteHistoryStore(path)
    for index in range(runs):
        rows = tuple(
            TestRow(suite=f"smoke/test_s{t % SUITES:02d}.py", suite_kind="marvin",
                    classname="", name=f"test_{t:03d}", outcome=_outcome(t, index), duration=5.0)
            for t in range(tests)
        )
        day, minute = divmod(index, 1440)
        started = f"2026-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{minute // 60:02d}:" \
                  f"{minute % 60:02d}:00Z"
        store.import_run(RunRecord(run_id=f"main-{index}", env="lab-kvm", kind="main",
                                   started=started, commit=f"{index:040x}", tests=rows,
                                   suites=(SuiteRow("smoke/test_s00.py", "marvin", 50.0),)))
    store.close()


def _outcome(test: int, run: int) -> str:
    if test % 10 == 1:
        return "failed"  # known
    if test % 10 == 2:
        return "failed" if run % 2 else "passed"  # flaky
    return "passed"


def bench_classify(path: Path, tests: int) -> tuple[float, dict[str, int]]:
    """Seconds to classify a PR run where every test failed, against the history at ``path``."""
    failed = tuple(TestResult(name=f"test_{t:03d}", classname="", outcome=Outcome.FAILED)
                   for t in range(tests))
    suites = [SuiteResult(name=f"smoke/test_s{s:02d}.py", kind="marvin",
                          tests=tuple(r for t, r in enumerate(failed) if t % SUITES == s))
              for s in range(SUITES)]
    start = time.perf_counter()
    results = classify_results(suites, "lab-kvm", history=path)
    elapsed = time.perf_counter() - start
    counts: dict[str, int] = {}
    for item in results:
        counts[item.failure_class.value] = counts.get(item.failure_class.value, 0) + 1
    return elapsed, counts


def bench_show(path: Path) -> float:
    """Seconds for ``vrtest history show --env lab-kvm``'s query over the whole history."""
    from vrtest.history.stats import flake_stats

    store = SqliteHistoryStore(path)
    start = time.perf_counter()
    points = store.test_points(env="lab-kvm", kinds=("main", "nightly"), last=20)
    stats = [flake_stats(key, pts) for key, pts in points.items()]
    elapsed = time.perf_counter() - start
    store.close()
    assert len(stats) == 200
    return elapsed


def main() -> int:
    """Run both benchmarks and report against the budgets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs, history_runs = (100, 1000) if args.quick else (1000, 10000)
    with tempfile.TemporaryDirectory(prefix="vrtest-bench-history-") as tmp:
        root = Path(tmp)
        imported = bench_import(root / "import", runs, 200)
        print(f"import {runs} runs x 200 tests: {imported:.2f} s (budget 10 s)")
        build_start = time.perf_counter()
        build_history(root / "history.sqlite", history_runs, 200)
        print(f"(built a history of {history_runs} runs x 200 tests in "
              f"{time.perf_counter() - build_start:.1f} s)")
        classified, counts = bench_classify(root / "history.sqlite", 200)
        print(f"classify a PR run with 200 failures against {history_runs} runs: "
              f"{classified:.3f} s (budget 0.5 s) -> {counts}")
        print(f"history show (flake rates of 200 tests, last 20 runs each): "
              f"{bench_show(root / 'history.sqlite'):.3f} s")
    ok = imported < 10 and classified < 0.5
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
