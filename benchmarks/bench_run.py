"""vrtest's own overhead for 20 Marvin suites that return at once (target: < 1 s).

Each "suite" is a tiny shell stand-in for ``nosetests`` that writes a one-test xunit file and
exits, so almost all measured time is vrtest: selection load, plan, config render, process
management, xunit parsing, results.jsonl appends (fsync), and junit/summary/HTML reports.

    python benchmarks/bench_run.py            # prints the figures
    pytest benchmarks/bench_run.py            # pytest-benchmark, if installed
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.run_support import write_env

SUITES = 20
NOSETESTS = """#!/bin/sh
for a in "$@"; do case "$a" in --xunit-file=*) f="${a#--xunit-file=}";; esac; done
printf '<?xml version="1.0" encoding="UTF-8"?><testsuite name="nosetests" tests="1" \
errors="0" failures="0" skip="0"><testcase classname="m.C" name="test_a" time="0.001">\
</testcase></testsuite>' > "$f"
"""


def prepare(root: Path) -> tuple[Path, Path]:
    """A checkout with 20 suites, a descriptor, a selection and a stand-in nosetests."""
    suites = [f"smoke/test_bench_{i:02d}.py" for i in range(SUITES)]
    for suite in suites:
        path = root / "cloudstack" / "test" / "integration" / suite
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# stand-in\n")
    script = root / "bin" / "nosetests"
    script.parent.mkdir()
    script.write_text(NOSETESTS)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = write_env(root, root / "cloudstack", name="bench", marvin={"python": ""})
    selection = root / "selection.json"
    selection.write_text(json.dumps({"suites": [{"path": s, "reasons": ["bench"]}
                                                for s in suites], "checks": []}))
    os.environ["PATH"] = f"{script.parent}{os.pathsep}{os.environ['PATH']}"
    return env, selection


def run_once(root: Path, env: Path, selection: Path, index: int) -> float:
    """One in-process ``vrtest run``; returns wall seconds."""
    from vrtest.cli import main
    from vrtest.console import Console

    out = root / f"out{index}"
    console = Console(io.StringIO(), io.StringIO())
    started = time.perf_counter()
    code = main(["run", "--selection", str(selection), "--env", str(env), "--output", str(out)],
                console=console)
    elapsed = time.perf_counter() - started
    assert code == 0, console.err_stream.getvalue()  # type: ignore[attr-defined]
    assert len((out / "results.jsonl").read_text().splitlines()) == SUITES
    return elapsed


def child_floor(root: Path) -> float:
    """Seconds the 20 stand-in processes take on their own (spawn + exit), for reference."""
    import subprocess

    started = time.perf_counter()
    for i in range(SUITES):
        subprocess.run(["nosetests", f"--xunit-file={root}/floor{i}.xml"], check=True)
    return time.perf_counter() - started


def test_run_overhead(benchmark) -> None:  # type: ignore[no-untyped-def]
    """pytest-benchmark entry point."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env, selection = prepare(root)
        counter = iter(range(10_000))
        benchmark.pedantic(lambda: run_once(root, env, selection, next(counter)), rounds=5)


def main() -> int:
    """Print the best and median of 5 runs, and the bare process floor."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env, selection = prepare(root)
        times = sorted(run_once(root, env, selection, i) for i in range(5))
        floor = child_floor(root)
    print(f"{SUITES} instant suites: best {times[0]:.3f} s, median {times[2]:.3f} s "
          f"(bare child processes alone: {floor:.3f} s; vrtest overhead ~"
          f"{times[2] - floor:.3f} s)")
    return 0 if times[2] < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
