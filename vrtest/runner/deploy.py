"""Stage: the descriptor's deploy steps (argv lists with {pr}/{commit}/{branch} filled in)."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.environment import DeployStep
from vrtest.naming import safe_name
from vrtest.results import SuiteResult
from vrtest.runner.process import ChildRegistry, run_process
from vrtest.runner.store import RunStore, mask_file


class DeployFailed(Exception):
    """A deploy step failed; nothing was tested against a half-deployed zone."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SAFE_VALUE = {
    "pr": re.compile(r"[0-9]*"),
    "commit": re.compile(r"[0-9a-fA-F]*"),
    # git refuses branch names that start with '-' or hold control characters; so do we, so a
    # PR's branch can never turn into an option of a deploy command.
    "branch": re.compile(r"(?![-])[^\x00-\x1f\x7f]*"),
}


def fill(argv: Sequence[str], values: Mapping[str, Any]) -> list[str]:
    """Replace ``{pr}``, ``{commit}``, ``{branch}`` in each argument (no shell, no eval);
    a value of the wrong shape (PR-controlled text) stops the deploy instead."""
    checked = {key: _checked(key, str(values.get(key, "") or "")) for key in _SAFE_VALUE}
    filled = []
    for arg in argv:
        for key, value in checked.items():
            arg = arg.replace("{" + key + "}", value)
        filled.append(arg)
    return filled


def _checked(key: str, value: str) -> str:
    if not _SAFE_VALUE[key].fullmatch(value):
        raise DeployFailed(f"refusing to pass {key} {value[:60]!r} to a deploy step "
                           f"(not a valid {key})")
    return value


def log_name(index: int, step_name: str) -> str:
    """``01-build-packages.log``: numbered in step order, no spaces, never a path."""
    slug = safe_name(step_name).strip(".-") or "step"
    return f"{index:02d}-{slug}.log"


def run_deploy(steps: Sequence[DeployStep], meta: Mapping[str, Any], store: RunStore,
               registry: ChildRegistry, console: Console) -> None:
    """Run each step in order; the first failure is recorded and stops the run."""
    for index, step in enumerate(steps, start=1):
        try:
            argv = fill(step.argv, meta)
        except DeployFailed as exc:
            store.append(SuiteResult(name=f"deploy/{step.name}", kind="deploy", error=exc.message,
                                     started=_now()))
            raise
        log = store.directory / "deploy" / log_name(index, step.name)
        with console.status(f"[deploy] {step.name}"):
            outcome = run_process(argv, cwd=Path.cwd(), env=step.env, log=log,
                                  timeout=step.timeout, registry=registry)
        mask_file(log)
        error = outcome.start_error
        if outcome.timed_out:
            error = f"timed out after {step.timeout:g}s"
        elif not error and outcome.returncode != 0:
            error = f"exited with code {outcome.returncode}"
        if error:
            store.append(SuiteResult(name=f"deploy/{step.name}", kind="deploy", error=error,
                                     log_tail=outcome.log_tail, command=tuple(argv),
                                     duration=outcome.duration,
                                     started=_now()))
            raise DeployFailed(f"deploy step {step.name!r} {error} (log: {log})")
        console.info(f"[deploy] {step.name}: ok ({outcome.duration:.1f}s)")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
