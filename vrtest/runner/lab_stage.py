"""``--env local``: bring the embedded lab up for the VR checks and leave it as it was found."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from vrtest.console import Console
from vrtest.lab.config import LabConfig, load_lab_config
from vrtest.lab.down import lab_down
from vrtest.lab.paths import LabPaths
from vrtest.lab.state import LabState
from vrtest.lab.up import lab_up
from vrtest.runner.options import RunOptions
from vrtest.runner.settings import RunSettings


def lab_was_up(config: LabConfig) -> bool:
    """True when the lab's state file records a built topology."""
    state = LabState.load(LabPaths.of(config).state_file)
    return bool(state.exists and "topology" in state.data)


@contextlib.contextmanager
def lab_for_checks(settings: RunSettings, options: RunOptions,
                   console: Console) -> Iterator[None]:
    """Up (idempotent, repairs an unhealthy lab) before; down after only if it was down."""
    if not settings.is_lab:
        yield
        return
    envs_dir = Path(options.envs_dir) if options.envs_dir else None
    config = load_lab_config(options.env, envs_dir=envs_dir)
    was_up = lab_was_up(config)
    console.info(f"[lab] {config.prefix} is {'up' if was_up else 'down'}; bringing it up")
    lab_up(config, console)
    try:
        yield
    finally:
        if not was_up:
            console.info(f"[lab] {config.prefix}: taking it down again (it was down)")
            lab_down(config, console)
