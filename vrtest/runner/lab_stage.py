"""``--env local``: bring the embedded lab up for the VR checks and leave it as it was found."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence

from vrtest.console import Console
from vrtest.environment import Environment
from vrtest.lab.config import LabConfig
from vrtest.lab.down import lab_down
from vrtest.lab.netns import is_alive
from vrtest.lab.paths import LabPaths
from vrtest.lab.probe import checkrouter
from vrtest.lab.state import LabState
from vrtest.lab.topology import Topology
from vrtest.lab.up import lab_up

ELECTION_TIMEOUT = 15.0  # seconds a redundant pair may take to elect its PRIMARY
POLL_INTERVAL = 0.2
Pair = tuple[str, str]
Probe = Callable[[str], str]  # router name -> PRIMARY | BACKUP | FAULT | other (deciding)


def lab_was_up(config: LabConfig) -> bool:
    """True when the lab's state file records a built topology."""
    state = LabState.load(LabPaths.of(config).state_file)
    return bool(state.exists and "topology" in state.data)


def redundant_pairs(topology: Topology) -> list[Pair]:
    """Each redundant pair of the lab once, by router name."""
    pairs = {(min(r.name, r.peer), max(r.name, r.peer)) for r in topology.routers
             if r.redundant and r.peer}
    return sorted(pairs)


def election_settled(states: Sequence[str]) -> bool:
    """True once keepalived has decided: some router is PRIMARY, or none runs keepalived.

    Just after keepalived starts both routers say BACKUP until one takes over; FAULT means
    keepalived is not running there (a fault for the check to report, not an election).
    """
    if any(state not in ("PRIMARY", "BACKUP", "FAULT") for state in states):
        return False
    return "PRIMARY" in states or all(state == "FAULT" for state in states)


def lab_probe(paths: LabPaths, state: LabState) -> Probe:
    """checkrouter in a lab router; STARTING while its recorded keepalived has no pid file yet."""
    records = state.processes()

    def probe(name: str) -> str:
        role = checkrouter(paths, name)
        record = records.get(f"{name}/keepalived")
        if role == "FAULT" and record is not None and is_alive(record):
            return "STARTING"
        return role

    return probe


def wait_for_elections(pairs: Sequence[Pair], probe: Probe, console: Console,
                       timeout: float = ELECTION_TIMEOUT) -> dict[Pair, list[str]]:
    """Poll ``probe`` until every pair settled or ``timeout``; return the last states."""
    started = time.monotonic()
    pending, last = list(pairs), {}
    while True:
        last.update({pair: [probe(name) for name in pair] for pair in pending})
        settled = [pair for pair in pending if election_settled(last[pair])]
        pending = [pair for pair in pending if pair not in settled]
        waited = time.monotonic() - started
        for pair in settled if waited >= POLL_INTERVAL else ():
            console.info(f"[lab] {' and '.join(pair)} elected after {waited:.1f}s "
                         f"({', '.join(last[pair])})")
        if not pending or waited >= timeout:
            break
        time.sleep(POLL_INTERVAL)
    for pair in pending:
        console.warn(f"[lab] {' and '.join(pair)} still electing after {timeout:g}s "
                     f"({', '.join(last[pair])}); redundant-state will show it")
    return last


@contextlib.contextmanager
def lab_for_checks(env: Environment, checks: Sequence[str], console: Console) -> Iterator[None]:
    """Up (idempotent, repairs an unhealthy lab) before; down after only if it was down.

    Before ``redundant-state`` runs, every redundant pair gets up to ELECTION_TIMEOUT to elect.
    """
    if env.kind != "lab":
        yield
        return
    config = LabConfig.from_environment(env)
    was_up = lab_was_up(config)
    console.info(f"[lab] {config.prefix} is {'up' if was_up else 'down'}; bringing it up")
    state = lab_up(config, console)
    try:
        if "redundant-state" in checks:
            paths = LabPaths.of(config)
            pairs = redundant_pairs(Topology.from_dict(state.data["topology"]))
            with console.status(f"[lab] waiting for {len(pairs)} redundant pair(s) to elect"):
                wait_for_elections(pairs, lab_probe(paths, state), console)
        yield
    finally:
        if not was_up:
            console.info(f"[lab] {config.prefix}: taking it down again (it was down)")
            lab_down(config, console)


def lab_for_marvin(env: Environment, suites: int, checks: Sequence[str],
                   console: Console) -> contextlib.AbstractContextManager[None]:
    """Marvin on a lab (``marvin.enabled: true``) needs its API up before the first suite."""
    if env.kind == "lab" and suites:
        return lab_for_checks(env, checks, console)
    return contextlib.nullcontext()
