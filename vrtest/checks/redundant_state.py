"""redundant-state: each redundant pair has exactly one PRIMARY and one BACKUP.

checkrouter.sh decides (MASTER is accepted as the 4.6-era word for PRIMARY); the state must match
the API's ``redundantstate`` and the public nic must be up only on the PRIMARY.
"""

from __future__ import annotations

from vrtest.checks import commands
from vrtest.checks.base import (
    Check,
    CheckContext,
    RouterOutputs,
    Verdict,
    failed,
    passed,
    skipped,
)
from vrtest.checks.default_route import public_nic
from vrtest.checks.parsers.checkrouter import parse_checkrouter
from vrtest.checks.parsers.links import parse_interfaces
from vrtest.checks.roles import role_commands
from vrtest.cloudstack.discovery import Router

NAME = "redundant-state"


def _commands(router: Router) -> tuple[str, ...]:
    return (*role_commands(router), commands.INTERFACES) if router.redundant else ()


def _state_of(outputs: RouterOutputs) -> str:
    result = outputs.results.get(commands.CHECKROUTER)
    return parse_checkrouter(result.stdout) if result and result.ok else ""


def pair_states(ctx: CheckContext) -> dict[str, str]:
    """checkrouter state of every reachable router of this router's pair (by name)."""
    return {
        name: _state_of(outputs)
        for name, outputs in ctx.peers.items()
        if outputs.router.redundant and outputs.router.group == ctx.router.group
        and not outputs.error and _state_of(outputs)
    }


def evaluate(ctx: CheckContext) -> Verdict:
    """The verdict for one router."""
    if not ctx.router.redundant:
        return skipped("not a redundant router")
    state = parse_checkrouter(ctx.result(commands.CHECKROUTER).stdout)
    evidence = [ctx.evidence(commands.CHECKROUTER, note=ctx.note)]
    problems = []
    if state not in ("PRIMARY", "BACKUP"):
        problems.append(f"checkrouter.sh says {state} (expected PRIMARY or BACKUP)")
    lock = ctx.result(commands.ROLE_LOCK).stdout.strip()
    if lock:
        problems.append(lock)
        evidence.append(ctx.evidence(commands.ROLE_LOCK))
    api_state = ctx.router.redundant_state
    if api_state and state != api_state:
        problems.append(f"API redundantstate is {api_state} but checkrouter.sh says {state}")
    interfaces = parse_interfaces(ctx.result(commands.INTERFACES).stdout)
    nic = public_nic(ctx.router, interfaces)
    link = interfaces.get(nic)
    if link is not None and state in ("PRIMARY", "BACKUP") and link.up != (state == "PRIMARY"):
        problems.append(f"public nic {nic} is {link.state} on the {state}")
        evidence.append(ctx.evidence(commands.INTERFACES))
    problems += _pair_problems(ctx)
    polled = f" [{ctx.note}]" if ctx.note else ""
    if problems:
        return failed(f"{ctx.router.name}: " + "; ".join(problems) + polled, *evidence)
    return passed(f"{state}; pair {_describe(pair_states(ctx))}{polled}", *evidence)


def _pair_problems(ctx: CheckContext) -> list[str]:
    states = pair_states(ctx)
    primaries = sorted(name for name, state in states.items() if state == "PRIMARY")
    if len(primaries) > 1:
        return [f"split brain: {len(primaries)} PRIMARY in the pair ({', '.join(primaries)})"]
    if not primaries and len(states) > 1:
        return [f"no PRIMARY in the pair ({_describe(states)})"]
    return []


def _describe(states: dict[str, str]) -> str:
    return ", ".join(f"{name}={state}" for name, state in sorted(states.items()))


CHECK = Check(NAME, "exactly one PRIMARY per pair, matching the API; public nic only on it",
              _commands, evaluate)
