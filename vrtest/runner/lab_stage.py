"""``--env local``: bring the embedded lab up for the VR checks and leave it as it was found."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.errors import ConfigError
from vrtest.runner.options import RunOptions
from vrtest.runner.settings import RunSettings


def _lab(name: str) -> Any:
    try:
        return importlib.import_module(f"vrtest.lab.{name}")
    except ModuleNotFoundError as exc:
        raise ConfigError("the embedded lab is not in this build of vrtest",
                          hint="run against an environment with a management server") from exc


def lab_was_up(config: Any) -> bool:
    """True when the lab's state file records a built topology."""
    paths = _lab("paths").LabPaths.of(config)
    state = _lab("state").LabState.load(paths.state_file)
    return bool(state.exists and "topology" in state.data)


@contextlib.contextmanager
def lab_for_checks(settings: RunSettings, options: RunOptions,
                   console: Console) -> Iterator[None]:
    """Up (idempotent, repairs an unhealthy lab) before; down after only if it was down."""
    if not settings.is_lab:
        yield
        return
    envs_dir = Path(options.envs_dir) if options.envs_dir else None
    config = _lab("config").load_lab_config(options.env, envs_dir=envs_dir)
    was_up = lab_was_up(config)
    console.info(f"[lab] {config.prefix} is {'up' if was_up else 'down'}; bringing it up")
    _lab("up").lab_up(config, console)
    try:
        yield
    finally:
        if not was_up:
            console.info(f"[lab] {config.prefix}: taking it down again (it was down)")
            _lab("down").lab_down(config, console)
