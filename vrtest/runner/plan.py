"""The plan: which Marvin suites and VR checks this run executes, and what it cannot verify."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vrtest.environment import Environment


@dataclass(frozen=True)
class PlannedSuite:
    """One Marvin suite (path under test/integration) and the tests it was narrowed to."""

    path: str
    tests: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedCheck:
    """One VR check by name."""

    name: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Everything a run will do, plus what it will report as not run or not verified."""

    suites: tuple[PlannedSuite, ...] = ()
    checks: tuple[PlannedCheck, ...] = ()
    not_run: tuple[tuple[PlannedSuite, str], ...] = ()  # suites selected but not executable here
    not_verified: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "suites": [s.path for s in self.suites],
            "checks": [c.name for c in self.checks],
            "not_run": [{"suite": s.path, "reason": r} for s, r in self.not_run],
            "not_verified": list(self.not_verified),
        }


@dataclass(frozen=True)
class PlanInput:
    """The parts of a selection record (``Selection.to_dict()``) the plan reads."""

    suites: tuple[PlannedSuite, ...] = ()
    checks: tuple[PlannedCheck, ...] = ()
    not_verified: tuple[str, ...] = field(default_factory=tuple)


def read_selection(selection: dict[str, Any]) -> PlanInput:
    """Read suites, checks and not-verified notes from a selection record."""
    suites = tuple(
        PlannedSuite(str(s["path"]), tuple(str(t) for t in s.get("tests") or ()),
                     tuple(str(r) for r in s.get("reasons") or ()))
        for s in selection.get("suites", ())
    )
    checks = tuple(
        PlannedCheck(str(c["name"]), tuple(str(r) for r in c.get("reasons") or ()))
        for c in selection.get("checks", ())
    )
    return PlanInput(suites, checks, tuple(_note(n) for n in selection.get("not_verified", ())))


def _note(item: object) -> str:
    if isinstance(item, dict):
        what = item.get("what") or item.get("suite") or item.get("check") or item.get("name", "")
        reason = item.get("reason", "")
        return f"{what}: {reason}" if what and reason else str(what or reason)
    return str(item)


def make_plan(selected: PlanInput, env: Environment) -> Plan:
    """Decide what runs here: Marvin needs a management server; VR code needs real routers."""
    notes = list(selected.not_verified)
    if not env.capabilities.real_vrs:
        notes.append(f"{env.hypervisor}: no real virtual routers, VR code is not exercised")
    reason = _why_marvin_cannot_run(env)
    if reason and selected.suites:
        return Plan((), selected.checks, tuple((s, reason) for s in selected.suites),
                    tuple(notes))
    return Plan(selected.suites, selected.checks, (), tuple(notes))


def _why_marvin_cannot_run(env: Environment) -> str:
    if env.management is None:
        return f"environment {env.name!r} has no CloudStack management server"
    if env.kind == "lab" and not env.marvin.enabled:
        return (f"environment {env.name!r} is the embedded lab, not a CloudStack management "
                "server (set marvin.enabled: true to run Marvin against its API anyway)")
    if not env.marvin.enabled:
        return f"Marvin is disabled for environment {env.name!r}"
    return ""
