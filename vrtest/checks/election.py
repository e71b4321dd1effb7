"""Mid-election re-polling: a redundant pair that has not elected yet gets a few more seconds.

Right after boot (or a failover) keepalived may still be electing: checkrouter.sh says FAULT,
or both routers say BACKUP, or both say PRIMARY (each took over before hearing the other; one
steps down within an advert or two), or CsRedundant is still switching a role
(``/tmp/primary_lock``). A split brain that outlasts the wait is reported by redundant-state.
Before judging, such a pair's routers are collected again every ``interval`` seconds for at
most ``seconds``, until two polls in a row agree (a new PRIMARY's public nic comes up before its
routes and daemons); the note on each router's outputs says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from vrtest.checks import commands
from vrtest.checks.base import RouterOutputs
from vrtest.checks.parsers.checkrouter import parse_checkrouter

SETTLE_SECONDS = 6.0
INTERVAL = 1.0
Collect = Callable[[RouterOutputs], RouterOutputs]


@dataclass(frozen=True)
class Polling:
    """How long to wait for an election, and the clock (replaceable in tests)."""

    seconds: float = SETTLE_SECONDS
    interval: float = INTERVAL
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def router_state(outputs: RouterOutputs) -> str:
    """checkrouter.sh's state on a reachable router ("" when it was not asked or not reached)."""
    result = outputs.results.get(commands.CHECKROUTER)
    if outputs.error or result is None:
        return ""
    return parse_checkrouter(result.stdout) if result.ok else "UNKNOWN"


def role_change(outputs: RouterOutputs) -> str:
    """Why the role was changing while the router was read ("" when it was not).

    CsRedundant held ``/tmp/primary_lock``, or checkrouter.sh said one thing before the state
    commands and another after them.
    """
    before = outputs.results.get(commands.ROLE_BEFORE)
    if outputs.error or before is None:
        return ""
    lock = [line for line in before.stdout.splitlines() if "primary_lock" in line]
    if lock:
        return lock[0].strip()
    was, now = parse_checkrouter(before.stdout), router_state(outputs)
    if was != now and "UNKNOWN" not in (was, now):
        return f"role changed while it was read: checkrouter.sh said {was}, then {now}"
    return ""


def unsettled(outputs: Mapping[str, RouterOutputs]) -> list[str]:
    """Routers of pairs still electing: FAULT/UNKNOWN, several and no PRIMARY or more than one,
    a role change."""
    groups: dict[str, dict[str, str]] = {}
    for name, item in outputs.items():
        state = router_state(item)
        if item.router.redundant and state:
            changing = "CHANGING" if role_change(item) else state
            groups.setdefault(item.router.group, {})[name] = changing
    waiting = []
    for states in groups.values():
        values = set(states.values())
        primaries = list(states.values()).count("PRIMARY")
        electing = values - {"PRIMARY", "BACKUP"} or (len(states) > 1 and primaries != 1)
        waiting += sorted(states) if electing else []
    return waiting


def settle(outputs: Mapping[str, RouterOutputs], collect: Collect,
           polling: Polling = Polling()) -> dict[str, RouterOutputs]:
    """``outputs`` with electing pairs collected again until they settle or time runs out."""
    current = dict(outputs)
    waiting = unsettled(current)
    if not waiting:
        return current
    watched = {name: router_state(current[name]) for name in waiting}
    started = polling.clock()
    polls, agreed = 0, dict[str, str]()
    while polling.clock() - started < polling.seconds:
        polling.sleep(polling.interval)
        polls += 1
        current.update({name: collect(current[name]) for name in watched})
        waiting = unsettled(current)
        roles = {name: router_state(current[name]) for name in watched}
        if not waiting and roles == agreed:
            break
        agreed = {} if waiting else roles
    elapsed = polling.clock() - started
    for name, was in watched.items():
        now = router_state(current[name]) or "unreachable"
        verdict = "still electing" if name in waiting else "settled"
        note = (f"pair was electing: checkrouter.sh said {was}, re-polled {polls} time(s) over "
                f"{elapsed:.1f} s (at most {polling.seconds:g} s): {verdict}, now {now}")
        current[name] = replace(current[name], note=note)
    return current

