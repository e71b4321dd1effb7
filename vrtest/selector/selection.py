"""The :class:`Selection` record: what to run for a change and why (saved as selection.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrtest.errors import ConfigError

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class AreaHit:
    """A VR area the change touches and the changed files that put it there."""

    name: str
    files: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "files": list(self.files)}


@dataclass(frozen=True)
class SuitePick:
    """A Marvin suite to run; ``tests`` are ``Class.method`` ids (empty: the whole file)."""

    path: str
    tests: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"path": self.path, "tests": list(self.tests), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class CheckPick:
    """A vrtest VR check to run and why."""

    name: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Decision:
    """One changed path and one rule it matched (the explanation's unit)."""

    path: str
    rule: str
    reason: str
    suites: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"path": self.path, "rule": self.rule, "reason": self.reason,
                "suites": list(self.suites), "checks": list(self.checks)}


@dataclass(frozen=True)
class Selection:
    """The whole answer for one change; JSON contract documented in README "Selection"."""

    changed: tuple[str, ...]
    areas: tuple[AreaHit, ...]
    suites: tuple[SuitePick, ...]
    checks: tuple[CheckPick, ...]
    unmatched: tuple[str, ...]
    fallback: bool
    source: dict[str, Any]
    catalog: dict[str, Any]
    not_verified: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """True when nothing is selected (a change with no VR impact)."""
        return not self.suites and not self.checks

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract."""
        return {
            "schema_version": SCHEMA_VERSION,
            "changed": list(self.changed),
            "areas": [area.to_dict() for area in self.areas],
            "suites": [suite.to_dict() for suite in self.suites],
            "checks": [check.to_dict() for check in self.checks],
            "unmatched": list(self.unmatched),
            "fallback": self.fallback,
            "source": dict(self.source),
            "catalog": dict(self.catalog),
            "not_verified": [dict(item) for item in self.not_verified],
            "warnings": list(self.warnings),
            "decisions": [decision.to_dict() for decision in self.decisions],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Selection:
        """Inverse of :meth:`to_dict` (a later ``vrtest run`` reuses a saved selection)."""
        return cls(
            changed=tuple(data["changed"]),
            areas=tuple(AreaHit(a["name"], tuple(a["files"])) for a in data["areas"]),
            suites=tuple(SuitePick(s["path"], tuple(s["tests"]), tuple(s["reasons"]))
                         for s in data["suites"]),
            checks=tuple(CheckPick(c["name"], tuple(c["reasons"])) for c in data["checks"]),
            unmatched=tuple(data["unmatched"]),
            fallback=bool(data["fallback"]),
            source=dict(data.get("source") or {}),
            catalog=dict(data.get("catalog") or {}),
            not_verified=tuple(dict(item) for item in data.get("not_verified") or ()),
            warnings=tuple(data.get("warnings") or ()),
            decisions=tuple(Decision(d["path"], d["rule"], d["reason"], tuple(d["suites"]),
                                     tuple(d["checks"])) for d in data.get("decisions") or ()),
            notes=tuple(data.get("notes") or ()),
        )

    def save(self, path: Path) -> None:
        """Write as indented JSON (``selection.json``)."""
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Selection:
        """Read a saved ``selection.json``; a bad file is a one-line config error."""
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise ConfigError(f"cannot read selection: {exc.strerror or exc}",
                              path=str(path)) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"not a vrtest selection ({exc})", path=str(path),
                              hint="write one with vrtest select --format json -o FILE") from exc
