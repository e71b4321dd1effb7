"""What the matrix needs from an environment descriptor, read without resolving secrets.

Planning (cells, the Jenkinsfile) must work on a machine that holds no credentials, so this
reads the descriptor's YAML directly instead of :func:`vrtest.environment.load_environment`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vrtest.environment.loader import discover, search_dirs
from vrtest.errors import ConfigError, UsageError


@dataclass(frozen=True)
class EnvFacts:
    """An environment's matrix-relevant facts."""

    name: str
    path: Path
    network_kinds: frozenset[str]
    marvin_enabled: bool
    marvin_tags: tuple[str, ...]
    required_hardware: bool | None
    zones: tuple[str, ...]
    is_lab: bool

    @property
    def zone(self) -> str:
        """The zone runs are serialised on (the first one; descriptors name one per zone)."""
        return self.zones[0] if self.zones else "default"


def find_descriptor(ref: str, envs_dir: Path | None = None) -> Path | None:
    """The descriptor file for a name or path, or None when there is none (the loader's
    lookup: --envs-dir, $VRTEST_ENV_PATH, ./environments, then the shipped descriptors)."""
    as_path = Path(ref)
    if as_path.suffix in (".yaml", ".yml") and as_path.is_file():
        return as_path
    return discover(envs_dir).get(ref)


def load_env_facts(ref: str, envs_dir: Path | None = None) -> EnvFacts:
    """Read ``ref``'s descriptor (a usage error naming the search path when missing)."""
    path = find_descriptor(ref, envs_dir)
    if path is None:
        searched = ", ".join(str(d) for d in search_dirs(envs_dir))
        raise UsageError(f"unknown environment {ref!r} (looked in {searched})",
                         hint="add environments/<name>.yaml or pass --envs-dir")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping", path=str(path))
    return _facts(ref, path, data)


def _facts(ref: str, path: Path, data: dict[str, Any]) -> EnvFacts:
    capabilities = data.get("capabilities") or {}
    marvin = data.get("marvin") or {}
    hardware = marvin.get("required_hardware")
    return EnvFacts(
        name=str(data.get("name") or ref),
        path=path,
        network_kinds=frozenset(str(k) for k in capabilities.get("network_kinds") or ()),
        marvin_enabled=bool(marvin.get("enabled", False)),
        marvin_tags=tuple(str(t) for t in marvin.get("tags") or ()),
        required_hardware=None if hardware is None else bool(hardware),
        zones=tuple(str(z.get("name")) for z in data.get("zones") or () if isinstance(z, dict)),
        is_lab="lab" in data,
    )
