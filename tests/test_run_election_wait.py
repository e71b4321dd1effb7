"""Before redundant-state, ``vrtest run --env local`` waits (bounded) for each pair's election."""

from __future__ import annotations

import io
import time

import pytest

from vrtest.console import Console
from vrtest.runner.lab_stage import SPLIT_BRAIN_GRACE, election_settled, wait_for_elections

PAIR = ("r-6-VM", "r-7-VM")


@pytest.mark.parametrize(("states", "settled"), [
    (["PRIMARY", "BACKUP"], True),
    (["BACKUP", "PRIMARY"], True),
    (["PRIMARY", "PRIMARY"], True),  # a lasting split brain is a result for the check
    (["FAULT", "PRIMARY"], True),  # keepalived down on one: the other took over
    (["FAULT", "FAULT"], True),  # no keepalived at all: nothing will change
    (["BACKUP", "BACKUP"], False),  # just started: nobody has taken over yet
    (["FAULT", "BACKUP"], False),  # the live one has not taken over yet
    (["STARTING", "PRIMARY"], False),  # keepalived runs but has no pid file yet
    (["UNKNOWN", "PRIMARY"], False),
])
def test_election_settled(states: list[str], settled: bool) -> None:
    assert election_settled(states) is settled


def _console() -> tuple[Console, io.StringIO]:
    err = io.StringIO()
    return Console(io.StringIO(), err, environ={}), err


def test_waits_until_one_router_takes_over() -> None:
    started = time.monotonic()

    def probe(name: str) -> str:
        if time.monotonic() - started < 0.6:
            return "BACKUP"  # both BACKUP, as right after keepalived starts
        return "PRIMARY" if name == "r-6-VM" else "BACKUP"

    console, err = _console()
    last = wait_for_elections([PAIR], probe, console, timeout=5)
    assert last[PAIR] == ["PRIMARY", "BACKUP"]
    assert 0.6 <= time.monotonic() - started < 2
    assert "r-6-VM and r-7-VM elected after" in err.getvalue()


def test_a_settled_pair_is_probed_once_and_not_reported() -> None:
    calls: list[str] = []

    def probe(name: str) -> str:
        calls.append(name)
        return "PRIMARY" if name == "r-6-VM" else "BACKUP"

    console, err = _console()
    wait_for_elections([PAIR], probe, console)
    assert calls == list(PAIR) and err.getvalue() == ""


def test_the_wait_is_bounded_and_says_so() -> None:
    console, err = _console()
    started = time.monotonic()
    last = wait_for_elections([PAIR], lambda name: "BACKUP", console, timeout=0.5)
    assert 0.5 <= time.monotonic() - started < 1.5
    assert last[PAIR] == ["BACKUP", "BACKUP"]
    assert "r-6-VM and r-7-VM still electing after 0.5s (BACKUP, BACKUP)" in err.getvalue()


def test_two_primaries_right_after_a_start_are_still_converging() -> None:
    assert election_settled(["PRIMARY", "PRIMARY"], split_for=0.5) is False


def test_a_transient_split_brain_is_waited_out() -> None:
    started = time.monotonic()

    def probe(name: str) -> str:
        if time.monotonic() - started < 0.8:
            return "PRIMARY"  # both took over before hearing each other
        return "PRIMARY" if name == "r-6-VM" else "BACKUP"

    console, _ = _console()
    last = wait_for_elections([PAIR], probe, console, timeout=5)
    assert last[PAIR] == ["PRIMARY", "BACKUP"]


def test_a_lasting_split_brain_is_handed_to_the_check_after_the_grace() -> None:
    console, err = _console()
    started = time.monotonic()
    last = wait_for_elections([PAIR], lambda name: "PRIMARY", console, timeout=10)
    assert last[PAIR] == ["PRIMARY", "PRIMARY"]
    assert SPLIT_BRAIN_GRACE <= time.monotonic() - started < SPLIT_BRAIN_GRACE + 1
    assert "still electing" not in err.getvalue()
