"""Before deploying anything: can ``marvin.python`` run Marvin with the configured runner?

Without this, an interpreter lacking Marvin, nose or pytest fails every suite the same way
("exited with code 1 and no readable test report"), once per suite, after the deploy.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from vrtest.environment import Environment
from vrtest.errors import ConfigError
from vrtest.runner.bridge_path import install_bridge
from vrtest.runner.marvin_command import BRIDGE_PLUGIN, child_environment

PROBE_TIMEOUT = 120.0
HINT = ("install Marvin (pip install tools/marvin of the checkout) and pynose into it, plus "
        "pytest for runner: pytest; docs/run.md 'Real Marvin' has the steps")


def probe_source(runner: str) -> str:
    """The import line the suite processes depend on."""
    if runner == "pytest":
        return f"import marvin.marvinInit, pytest, {BRIDGE_PLUGIN}"
    return "import marvin.marvinInit, nose"


def check_marvin_python(env: Environment, checkout: Path, run_dir: Path) -> None:
    """Raise ConfigError (exit 2) when ``marvin.python`` cannot import what the runner needs."""
    settings = env.marvin
    if settings.runner == "pytest":
        install_bridge(run_dir)
    if not settings.python:  # the `nosetests` script: its own interpreter
        return
    child_env = {**os.environ, **child_environment(settings, run_dir, "(preflight)")}
    argv = [settings.python, "-c", probe_source(settings.runner)]
    try:
        done = subprocess.run(argv, cwd=checkout, env=child_env, capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"{settings.python} cannot be run ({exc})", path=str(env.path),
                          key="marvin.python", hint=HINT) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit code {done.returncode}"
        raise ConfigError(f"{settings.python} cannot run Marvin with {settings.runner}: {reason}",
                          path=str(env.path), key="marvin.python", hint=HINT)
