"""Expand a plan into cells: environment x network kind, with each cell's suites and checks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vrtest.errors import UsageError
from vrtest.matrix.envfacts import EnvFacts
from vrtest.matrix.plan import MatrixSpec, NetworkKind, Plan, SuiteSpec


@dataclass(frozen=True)
class Cell:
    """One run of the matrix: one environment, one network kind."""

    id: str
    plan: str
    env: str
    zone: str
    kind: str
    title: str
    suites: tuple[str, ...]
    checks: tuple[str, ...]
    vpc: bool
    redundant: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (saved in matrix.json)."""
        return {
            "id": self.id, "plan": self.plan, "env": self.env, "zone": self.zone,
            "kind": self.kind, "title": self.title, "suites": list(self.suites),
            "checks": list(self.checks), "vpc": self.vpc, "redundant": self.redundant,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cell:
        """Inverse of :meth:`to_dict`."""
        return cls(
            id=data["id"], plan=data.get("plan", ""), env=data["env"],
            zone=data.get("zone", ""), kind=data["kind"], title=data.get("title", data["kind"]),
            suites=tuple(data.get("suites", ())), checks=tuple(data.get("checks", ())),
            vpc=bool(data.get("vpc")), redundant=bool(data.get("redundant")),
        )


def cell_id(env: str, kind: str) -> str:
    """``<env>-<kind>``, e.g. ``lab-kvm-vpc-redundant``."""
    return f"{env}-{kind}"


def suites_for(kind: NetworkKind, env: EnvFacts) -> tuple[str, ...]:
    """The kind's Marvin suites this environment runs (none when Marvin is off)."""
    if not env.marvin_enabled:
        return ()
    return tuple(s.path for s in kind.suites if _suite_fits(s, env))


def _suite_fits(suite: SuiteSpec, env: EnvFacts) -> bool:
    if env.marvin_tags and suite.tags and not set(suite.tags) & set(env.marvin_tags):
        return False
    return not (env.required_hardware is False and suite.hardware == "true")


def plan_cells(
    spec: MatrixSpec,
    plan: Plan,
    env_facts: Callable[[str], EnvFacts],
    *,
    only_envs: Sequence[str] = (),
) -> list[Cell]:
    """Every cell of ``plan`` (or of ``only_envs`` within it), in plan order."""
    names = [e.name for e in plan.envs]
    unknown = [name for name in only_envs if name not in names]
    if unknown:
        raise UsageError(f"environment(s) {', '.join(unknown)} not in plan {plan.name!r}",
                         hint=f"plan envs: {', '.join(names)}")
    cells = []
    for plan_env in plan.envs:
        if only_envs and plan_env.name not in only_envs:
            continue
        env = env_facts(plan_env.name)
        kind_ids = plan_env.kinds if plan_env.kinds is not None else tuple(spec.kinds)
        for kind_id in kind_ids:
            kind = spec.kinds[kind_id]
            if kind.requires <= env.network_kinds:
                cells.append(_cell(plan.name, env, kind, plan_env.skip_checks))
    return cells


def _cell(plan: str, env: EnvFacts, kind: NetworkKind, skip_checks: Sequence[str]) -> Cell:
    return Cell(
        id=cell_id(env.name, kind.id), plan=plan, env=env.name, zone=env.zone, kind=kind.id,
        title=kind.title, suites=suites_for(kind, env),
        checks=tuple(c for c in kind.checks if c not in skip_checks), vpc=kind.vpc,
        redundant=kind.redundant,
    )


def pick_cell(cells: Sequence[Cell], wanted: str) -> Cell:
    """The cell with id ``wanted`` (a usage error listing the ids otherwise)."""
    for cell in cells:
        if cell.id == wanted:
            return cell
    raise UsageError(f"no cell {wanted!r} in this plan",
                     hint=f"cells: {', '.join(c.id for c in cells) or 'none'}")
