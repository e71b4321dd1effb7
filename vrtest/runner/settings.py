"""What the runner needs from an environment, as one small frozen record (a thin adapter).

The environment part (``vrtest.environment``) owns descriptors; the runner reads only the
fields below, so :func:`run_settings` is the single place that knows their shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNERS = ("nose", "pytest")


@dataclass(frozen=True)
class MarvinSettings:
    """How Marvin suites run against one zone."""

    enabled: bool = True
    runner: str = "nose"
    python: str = ""  # interpreter; empty = the ``nosetests`` script / this interpreter
    zone: str = ""
    hypervisor: str = ""
    tags: tuple[str, ...] = ("advanced",)
    required_hardware: bool | None = None
    suite_timeout: float = 3600.0
    parallel_safe: bool = False
    extra_args: tuple[str, ...] = ()
    cloudstack: str = ""  # path of the CloudStack checkout (holds test/integration)


@dataclass(frozen=True)
class DeployStep:
    """One deploy command from the descriptor (argv with {pr}/{commit}/{branch})."""

    name: str
    argv: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 3600.0


@dataclass(frozen=True)
class RunSettings:
    """The environment as the runner sees it."""

    name: str
    hypervisor: str
    marvin: MarvinSettings
    deploy: tuple[DeployStep, ...] = ()
    real_vrs: bool = True
    is_lab: bool = False
    has_management_server: bool = True
    source: Any = None  # the loaded Environment, handed to checks and the config renderer


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def marvin_settings(raw: Any, hypervisor: str) -> MarvinSettings:
    """Read the ``marvin`` section (object or mapping) into :class:`MarvinSettings`."""
    if raw is None:
        return MarvinSettings(enabled=False, hypervisor=hypervisor)
    tags = _get(raw, "tags", ("advanced",)) or ()
    required = _get(raw, "required_hardware", None)
    return MarvinSettings(
        enabled=bool(_get(raw, "enabled", True)),
        runner=str(_get(raw, "runner", "nose") or "nose"),
        python=str(_get(raw, "python", "") or ""),
        zone=str(_get(raw, "zone", "") or ""),
        hypervisor=str(_get(raw, "hypervisor", "") or hypervisor),
        tags=(tags,) if isinstance(tags, str) else tuple(str(t) for t in tags),
        required_hardware=None if required is None else _as_bool(required),
        suite_timeout=float(_get(raw, "suite_timeout", 3600) or 3600),
        parallel_safe=bool(_get(raw, "parallel_safe", False)),
        extra_args=tuple(str(a) for a in (_get(raw, "extra_args", ()) or ())),
        cloudstack=str(_get(raw, "cloudstack", "") or ""),
    )


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def deploy_steps(raw: Any) -> tuple[DeployStep, ...]:
    """Read ``deploy[]`` entries (objects or mappings)."""
    steps = []
    for index, item in enumerate(raw or ()):
        steps.append(
            DeployStep(
                name=str(_get(item, "name", f"deploy-{index + 1}")),
                argv=tuple(str(a) for a in _get(item, "argv", ())),
                env={str(k): str(v) for k, v in (_get(item, "env", {}) or {}).items()},
                timeout=float(_get(item, "timeout", 3600) or 3600),
            )
        )
    return tuple(steps)


def run_settings(env: Any) -> RunSettings:
    """Adapt a loaded ``Environment`` (or a plain descriptor mapping) for the runner."""
    hypervisor = str(_get(env, "hypervisor", "") or "")
    capabilities = _get(env, "capabilities", None)
    real_vrs = _get(capabilities, "real_vrs", hypervisor != "simulator")
    management = _get(env, "management", None)
    is_lab = _get(env, "lab", None) is not None
    return RunSettings(
        name=str(_get(env, "name", "") or ""),
        hypervisor=hypervisor,
        marvin=marvin_settings(_get(env, "marvin", None), hypervisor),
        deploy=deploy_steps(_get(env, "deploy", ())),
        real_vrs=bool(real_vrs),
        is_lab=is_lab,
        has_management_server=management is not None and not is_lab,
        source=env,
    )


def cloudstack_root(settings: RunSettings, override: str | None) -> Path | None:
    """The CloudStack checkout: ``--cloudstack`` wins over the descriptor."""
    chosen = override or settings.marvin.cloudstack
    return Path(chosen).expanduser() if chosen else None
