"""Filter a selection by what an environment can verify (real VRs, network kinds, nose attrs).

A simulator env only gets tests with ``required_hardware=false`` (as upstream CI's
``-a tags=advanced,required_hardware=false``); everything dropped is listed in the
selection's ``not_verified`` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vrtest.errors import ConfigError, UsageError
from vrtest.selector.catalog import TestInfo

NETWORK_KINDS = ("isolated", "vpc", "redundant", "vpn")
CHECK_NEEDS = {"redundant-state": "redundant", "vpn": "vpn"}
_KIND_WORDS = {"redundant": ("redundant", "rvr", "rvpc"), "vpn": ("vpn",), "vpc": ("vpc",)}


@dataclass(frozen=True)
class Capabilities:
    """What an environment can verify, as the selector needs it."""

    name: str
    real_vrs: bool
    network_kinds: frozenset[str] = frozenset(NETWORK_KINDS)
    required_hardware: bool | None = None  # marvin.required_hardware; False = rh=false only
    tags: tuple[str, ...] = ()  # marvin.tags; a test needs one of them

    @classmethod
    def from_mapping(cls, name: str, data: Mapping[str, Any]) -> Capabilities:
        """From a descriptor's ``capabilities`` and ``marvin`` blocks (plain mappings)."""
        caps = data.get("capabilities") or {}
        marvin = data.get("marvin") or {}
        kinds = caps.get("network_kinds")
        hardware = marvin.get("required_hardware")
        return cls(
            name=name,
            real_vrs=bool(caps.get("real_vrs", data.get("hypervisor") != "simulator")),
            network_kinds=frozenset(kinds) if kinds is not None else frozenset(NETWORK_KINDS),
            required_hardware=None if hardware is None else str(hardware).lower() == "true",
            tags=tuple(str(tag) for tag in marvin.get("tags") or ()),
        )

    @property
    def hardware_only_false(self) -> bool:
        """True when only ``required_hardware=false`` tests can run here."""
        return not self.real_vrs or self.required_hardware is False


def from_environment(env: Any) -> Capabilities:
    """Capabilities of a loaded :class:`vrtest.environment.Environment` (duck-typed)."""
    caps = getattr(env, "capabilities", None)
    marvin = getattr(env, "marvin", None)
    hardware = getattr(marvin, "required_hardware", None)
    return Capabilities(
        name=str(getattr(env, "name", "env")),
        real_vrs=bool(getattr(caps, "real_vrs", True)),
        network_kinds=frozenset(getattr(caps, "network_kinds", NETWORK_KINDS)),
        required_hardware=None if hardware is None else bool(hardware),
        tags=tuple(getattr(marvin, "tags", ()) or ()),
    )


def load_capabilities(ref: str, envs_dir: Path | None = None) -> Capabilities:
    """Capabilities of env ``ref``: via the environment loader, or the descriptor's YAML."""
    try:
        from vrtest.environment import (  # type: ignore[import-not-found,unused-ignore]
            load_environment,
        )
    except ImportError:
        return _capabilities_from_yaml(ref, envs_dir)
    return from_environment(load_environment(ref, envs_dir=envs_dir))


def _capabilities_from_yaml(ref: str, envs_dir: Path | None) -> Capabilities:
    """Fallback while the environment loader is absent: read the two blocks we need."""
    candidates = [Path(ref)] if ref.endswith((".yaml", ".yml")) else [
        base / f"{ref}.yaml" for base in (envs_dir or Path("environments"),)]
    for path in candidates:
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"not valid YAML: {exc}", path=str(path)) from exc
            return Capabilities.from_mapping(str(data.get("name", ref)), data)
    raise UsageError(f"unknown environment {ref!r}", hint="see vrtest env list")


def test_kinds(test: TestInfo, suite_path: str) -> set[str]:
    """Network kinds a test needs, from its suite, class and method names."""
    words = f"{suite_path} {test.cls} {test.name}".lower()
    return {kind for kind, keys in _KIND_WORDS.items() if any(key in words for key in keys)}


def why_not_runnable(test: TestInfo, suite_path: str, caps: Capabilities) -> str | None:
    """Why ``test`` cannot be verified in ``caps``'s environment, or None when it can."""
    if caps.hardware_only_false and test.required_hardware != "false":
        value = test.required_hardware or "absent"
        return (f"required_hardware={value}: {caps.name} runs only required_hardware=false "
                "tests (no real VRs)" if not caps.real_vrs else
                f"required_hardware={value}: {caps.name} sets marvin.required_hardware=false")
    if caps.tags and not set(caps.tags) & set(test.tags):
        return f"tags {list(test.tags)} do not include {caps.name}'s marvin.tags {list(caps.tags)}"
    missing = sorted(test_kinds(test, suite_path) - caps.network_kinds)
    if missing:
        return f"needs {', '.join(missing)} networks, which {caps.name} does not offer"
    return None


def check_not_runnable(check: str, caps: Capabilities) -> str | None:
    """Why VR check ``check`` cannot run in ``caps``'s environment, or None."""
    if not caps.real_vrs:
        return f"{caps.name} has no real VRs to check over SSH"
    needed = CHECK_NEEDS.get(check)
    if needed and needed not in caps.network_kinds:
        return f"needs {needed} networks, which {caps.name} does not offer"
    return None


def group_reasons(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Group (test id, reason) pairs by reason, keeping order."""
    grouped: dict[str, list[str]] = {}
    for test_id, reason in items:
        grouped.setdefault(reason, []).append(test_id)
    return grouped
