"""Thin adapters to the parts the runner builds on: environments, selection, checks, lab.

Each adapter imports its part lazily. Where a part is not in this build, the adapter says so
in one line (or, for descriptors, reads the YAML file plainly) instead of failing obscurely.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

from vrtest.errors import ConfigError, UsageError
from vrtest.runner.settings import RunSettings, run_settings


def _optional_module(name: str) -> Any:
    """Import ``name`` or return None when that part is not in this build."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def load_settings(ref: str, envs_dir: str | None = None) -> RunSettings:
    """Load environment ``ref`` (name or path) and adapt it for the runner."""
    module = _optional_module("vrtest.environment")
    if module is not None and hasattr(module, "load_environment"):
        kwargs = {"envs_dir": Path(envs_dir)} if envs_dir else {}
        return run_settings(module.load_environment(ref, **kwargs))
    return run_settings(_plain_descriptor(ref, envs_dir))


def _plain_descriptor(ref: str, envs_dir: str | None) -> dict[str, Any]:
    """Read a descriptor without the environment part (no schema, no ${VAR} resolution)."""
    path = _find_descriptor(ref, envs_dir)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise ConfigError("a descriptor must be a mapping", path=str(path))
    data.setdefault("name", path.stem)
    data["path"] = str(path)
    return data


def _find_descriptor(ref: str, envs_dir: str | None) -> Path:
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    dirs = [envs_dir] if envs_dir else []
    dirs += [d for d in os.environ.get("VRTEST_ENV_PATH", "").split(os.pathsep) if d]
    dirs.append("environments")
    for directory in dirs:
        for suffix in (".yaml", ".yml"):
            found = Path(directory) / f"{ref}{suffix}"
            if found.is_file():
                return found
    raise UsageError(f"unknown environment {ref!r}",
                     hint="give a descriptor path or a name from `vrtest env list`")


def render_marvin_config(settings: RunSettings) -> str:
    """The Marvin config text for the environment (the environment part renders it)."""
    for name in ("vrtest.environment.marvin_config", "vrtest.environment.marvin_render"):
        module = _optional_module(name)
        if module is not None and hasattr(module, "render_marvin_config"):
            rendered = module.render_marvin_config(settings.source)
            return rendered if isinstance(rendered, str) else json.dumps(rendered, indent=2)
    source = settings.source
    if isinstance(source, dict) and isinstance(source.get("marvin_config"), dict):
        return json.dumps(source["marvin_config"], indent=2)
    return json.dumps(_minimal_marvin_config(settings), indent=2)


def _minimal_marvin_config(settings: RunSettings) -> dict[str, Any]:
    source = settings.source if isinstance(settings.source, dict) else {}
    management = source.get("management") or {}
    url = str(management.get("api_url", "http://localhost:8080/client/api"))
    host = url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return {
        "zones": [{"name": settings.marvin.zone or "zone1"}],
        "mgtSvr": [{"mgtSvrIp": host, "port": int(management.get("integration_port", 8096)),
                    "apiKey": management.get("api_key", ""),
                    "securityKey": management.get("secret_key", ""),
                    "hypervisor": settings.hypervisor}],
        "logger": {"LogFolderPath": "/tmp"},
    }


def checks_module() -> Any:
    """``vrtest.checks`` or None when the checks part is not in this build."""
    return _optional_module("vrtest.checks")


def lab_module() -> Any:
    """``vrtest.lab`` or None when the lab part is not in this build."""
    return _optional_module("vrtest.lab")
