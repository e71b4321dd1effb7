"""Thin adapters to the parts the runner builds on: environments and the Marvin config."""

from __future__ import annotations

from pathlib import Path

from vrtest.environment import load_environment
from vrtest.environment.marvin_config import render_marvin_config as render
from vrtest.runner.settings import RunSettings, run_settings


def load_settings(ref: str, envs_dir: str | None = None) -> RunSettings:
    """Load environment ``ref`` (name or path) and adapt it for the runner."""
    return run_settings(load_environment(ref, envs_dir=Path(envs_dir) if envs_dir else None))


def render_marvin_config(settings: RunSettings) -> str:
    """The Marvin config text for the environment (rendered by the environment part)."""
    return render(settings.source)
