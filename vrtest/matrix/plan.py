"""Load ``suites/matrix.yaml``: network kinds (suites + checks) and plans (which environments)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vrtest.bundled import shipped_dir
from vrtest.errors import ConfigError

CHECK_NAMES = frozenset(
    {"default-route", "iptables-policy", "redundant-state", "vpn", "dhcp-dns", "services"}
)
CAPABILITIES = frozenset({"isolated", "vpc", "redundant", "vpn"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")  # ends up in paths and Jenkins


@dataclass(frozen=True)
class SuiteSpec:
    """A Marvin suite and the facts used to filter it (unknown tags keep it)."""

    path: str
    tags: tuple[str, ...] = ()
    hardware: str = "unknown"  # "true" | "false" | "mixed" | "unknown"


@dataclass(frozen=True)
class NetworkKind:
    """One column of the matrix."""

    id: str
    title: str
    requires: frozenset[str]
    vpc: bool
    redundant: bool
    checks: tuple[str, ...]
    suites: tuple[SuiteSpec, ...]


@dataclass(frozen=True)
class PlanEnv:
    """An environment in a plan, optionally limited to some kinds."""

    name: str
    kinds: tuple[str, ...] | None = None
    skip_checks: tuple[str, ...] = ()  # checks this environment cannot support


@dataclass(frozen=True)
class Plan:
    """A named set of environments (rows of the matrix)."""

    name: str
    description: str
    trend: int
    envs: tuple[PlanEnv, ...]


@dataclass(frozen=True)
class MatrixSpec:
    """The whole matrix file."""

    path: Path
    kinds: dict[str, NetworkKind]
    plans: dict[str, Plan]

    def plan(self, name: str) -> Plan:
        """The plan called ``name`` (a usage error naming the choices otherwise)."""
        if name not in self.plans:
            raise ConfigError(f"no plan {name!r}; plans: {', '.join(sorted(self.plans))}",
                              path=str(self.path), key="plans")
        return self.plans[name]


def default_matrix_path() -> Path:
    """``./suites/matrix.yaml``, else the one vrtest ships."""
    local = Path("suites/matrix.yaml")
    if local.is_file():
        return local
    return shipped_dir("suites") / "matrix.yaml"


def load_matrix(path: Path | None = None) -> MatrixSpec:
    """Parse and validate the matrix file."""
    path = path or default_matrix_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read matrix file: {exc.strerror}", path=str(path),
                          hint="pass --matrix-file PATH") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=str(path),
                          line=mark.line + 1 if mark else None) from exc
    spec = _Reader(path).matrix(data)
    return spec


class _Reader:
    """Validating reader: every error names the file and the key path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, path=str(self.path), key=key)

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return tuple(value)

    def ident(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(key, f"{value!r} is not a lower-case id (a-z, 0-9, -)")
        return value

    def matrix(self, data: Any) -> MatrixSpec:
        root = self.mapping(data, "(top)")
        if root.get("schema_version") != 1:
            raise self.fail("schema_version", "expected schema_version: 1")
        kinds_data = self.mapping(root.get("network_kinds"), "network_kinds")
        kinds = {self.ident(k, f"network_kinds.{k}"): self.kind(k, v)
                 for k, v in kinds_data.items()}
        plans_data = self.mapping(root.get("plans"), "plans")
        plans = {self.ident(n, f"plans.{n}"): self.plan(n, v, kinds)
                 for n, v in plans_data.items()}
        return MatrixSpec(self.path, kinds, plans)

    def kind(self, kind_id: str, value: Any) -> NetworkKind:
        key = f"network_kinds.{kind_id}"
        data = self.mapping(value, key)
        requires = frozenset(self.strings(data.get("requires"), f"{key}.requires"))
        if not requires or not requires <= CAPABILITIES:
            raise self.fail(f"{key}.requires",
                            f"expected capabilities from {', '.join(sorted(CAPABILITIES))}")
        checks = self.strings(data.get("checks"), f"{key}.checks")
        unknown = sorted(set(checks) - CHECK_NAMES)
        if unknown:
            raise self.fail(f"{key}.checks", f"unknown check(s) {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(CHECK_NAMES))}")
        routers = self.mapping(data.get("routers", {}), f"{key}.routers")
        suites = data.get("suites") or []
        if not isinstance(suites, list):
            raise self.fail(f"{key}.suites", "expected a list")
        return NetworkKind(
            id=kind_id, title=str(data.get("title") or kind_id), requires=requires,
            vpc=bool(routers.get("vpc", False)), redundant=bool(routers.get("redundant", False)),
            checks=checks,
            suites=tuple(self.suite(s, f"{key}.suites[{i}]") for i, s in enumerate(suites)),
        )

    def suite(self, value: Any, key: str) -> SuiteSpec:
        data = self.mapping(value, key)
        path = data.get("path")
        if not isinstance(path, str) or not path.endswith(".py"):
            raise self.fail(f"{key}.path", "expected a test file path such as smoke/test_x.py")
        hardware = data.get("hardware")
        text = "unknown" if hardware is None else str(hardware).lower()
        if text not in ("true", "false", "mixed", "unknown"):
            raise self.fail(f"{key}.hardware", "expected true, false, mixed or null")
        return SuiteSpec(path, self.strings(data.get("tags"), f"{key}.tags"), text)

    def plan(self, name: str, value: Any, kinds: dict[str, NetworkKind]) -> Plan:
        key = f"plans.{name}"
        data = self.mapping(value, key)
        envs = []
        for env_name, env_value in self.mapping(data.get("envs"), f"{key}.envs").items():
            env_key = f"{key}.envs.{env_name}"
            if not isinstance(env_name, str) or not _ENV_NAME.match(env_name):
                raise self.fail(env_key, f"{env_name!r} is not an environment name "
                                "(letters, digits, '.', '_', '-')")
            options = self.mapping(env_value or {}, env_key)
            only = options.get("kinds")
            chosen = None if only is None else self.strings(only, f"{env_key}.kinds")
            for kind in chosen or ():
                if kind not in kinds:
                    raise self.fail(f"{env_key}.kinds", f"unknown network kind {kind!r}")
            skip = self.strings(options.get("skip_checks"), f"{env_key}.skip_checks")
            if set(skip) - CHECK_NAMES:
                raise self.fail(f"{env_key}.skip_checks",
                                f"unknown check(s) {', '.join(sorted(set(skip) - CHECK_NAMES))}")
            envs.append(PlanEnv(str(env_name), chosen, skip))
        trend = data.get("trend", 14)
        if not isinstance(trend, int) or trend < 1:
            raise self.fail(f"{key}.trend", "expected a positive number of nights")
        return Plan(name, str(data.get("description") or ""), trend, tuple(envs))
