"""Selector accuracy on real apache/cloudstack PRs: recall and selection size per PR.

Run as a script (``python benchmarks/bench_select_real_prs.py [--markdown]``); the rows and
their evidence are tests/data/selector/real_prs.yaml, asserted by tests/test_select_real_prs.py.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_select_real_prs import Score, load_real_prs, score


def summary(scores: list[Score]) -> str:
    """One paragraph of figures over all rows."""
    sizes = [len(s.selected) for s in scores]
    hits = sum(len(s.expected) - len(s.missed) for s in scores)
    wanted = sum(len(s.expected) for s in scores)
    return (f"{len(scores)} cases: recall {hits}/{wanted} expected suites "
            f"({100 * hits / wanted:.1f}%), {sum(not s.missed for s in scores)} cases complete; "
            f"selection size median {statistics.median(sizes):g}, "
            f"mean {statistics.mean(sizes):.1f}, min {min(sizes)}, max {max(sizes)}")


def main(argv: list[str]) -> int:
    """Print one line per PR, then the summary."""
    scores = [score(row) for row in load_real_prs()]
    for s in scores:
        missed = f"  missed: {', '.join(sorted(s.missed))}" if s.missed else ""
        print(f"{s.case:55} recall {s.recall:4.0%}  selected {len(s.selected):3}{missed}")
    print(summary(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
