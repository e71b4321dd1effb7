"""The selector against real apache/cloudstack pull requests (tests/data/selector/real_prs.yaml).

Each row is a merged PR: the paths it changed (read from the repository history) and the
suites the evidence says mattered (Trillian/BlueOrangutan failures, the suites reviewers asked
for or ran, follow-up fixes of regressions it caused, suites the PR itself added), with the
evidence cited. Recall must stay complete; `max_suites` guards precision on narrow changes.
`python benchmarks/bench_select_real_prs.py` prints recall and selection size per PR.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from vrtest.selector import ChangeSet, select

REAL_PRS = Path(__file__).parent / "data" / "selector" / "real_prs.yaml"


@dataclass(frozen=True)
class Score:
    """How one PR's selection compares with what the evidence says mattered."""

    case: str
    expected: frozenset[str]
    selected: frozenset[str]

    @property
    def missed(self) -> frozenset[str]:
        return self.expected - self.selected

    @property
    def recall(self) -> float:
        return 1.0 - len(self.missed) / len(self.expected)


def load_real_prs(path: Path = REAL_PRS) -> list[dict[str, Any]]:
    """The PR rows of the data file."""
    rows: list[dict[str, Any]] = yaml.safe_load(path.read_text())["prs"]
    return rows


def score(row: dict[str, Any]) -> Score:
    """Select for the PR's changed paths and compare with its expected suites."""
    selection = select(ChangeSet.build(row["changed"], {"kind": "files"}))
    return Score(row["case"], frozenset(row["expected"]),
                 frozenset(suite.path for suite in selection.suites))


ROWS = load_real_prs()


def test_the_table_is_wide_and_every_row_cites_evidence() -> None:
    assert len({row["pr"] for row in ROWS}) >= 50
    assert len({row["case"] for row in ROWS}) == len(ROWS)
    for row in ROWS:
        assert row["changed"] and row["expected"], row["case"]
        assert len(row["evidence"]) > 20, row["case"]


@pytest.mark.parametrize("row", ROWS, ids=[row["case"] for row in ROWS])
def test_real_pull_request_selects_what_the_evidence_says_mattered(row: dict[str, Any]) -> None:
    result = score(row)
    assert not result.missed, f"{row['case']} missed {sorted(result.missed)}: {row['evidence']}"


NARROW = [row for row in ROWS if "max_suites" in row]


@pytest.mark.parametrize("row", NARROW, ids=[row["case"] for row in NARROW])
def test_narrow_change_stays_narrow(row: dict[str, Any]) -> None:
    selected = score(row).selected
    assert len(selected) <= row["max_suites"], sorted(selected)


def test_the_table_is_measured_on_the_whole_vr_set_and_on_narrow_changes() -> None:
    scores = [score(row) for row in ROWS]
    assert sum(s.recall for s in scores) / len(scores) == 1.0
    assert len(NARROW) >= 20
