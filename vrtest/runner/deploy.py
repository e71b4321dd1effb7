"""Stage: the descriptor's deploy steps (argv lists with {pr}/{commit}/{branch} filled in)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.environment import DeployStep
from vrtest.results import SuiteResult
from vrtest.runner.process import ChildRegistry, run_process
from vrtest.runner.store import RunStore, mask_file


class DeployFailed(Exception):
    """A deploy step failed; nothing was tested against a half-deployed zone."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fill(argv: Sequence[str], values: Mapping[str, Any]) -> list[str]:
    """Replace ``{pr}``, ``{commit}``, ``{branch}`` in each argument (no shell, no eval)."""
    filled = []
    for arg in argv:
        for key in ("pr", "commit", "branch"):
            arg = arg.replace("{" + key + "}", str(values.get(key, "") or ""))
        filled.append(arg)
    return filled


def run_deploy(steps: Sequence[DeployStep], meta: Mapping[str, Any], store: RunStore,
               registry: ChildRegistry, console: Console) -> None:
    """Run each step in order; the first failure is recorded and stops the run."""
    for step in steps:
        argv = fill(step.argv, meta)
        log = store.directory / "deploy" / f"{step.name}.log"
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
                                     started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
            raise DeployFailed(f"deploy step {step.name!r} {error} (log: {log})")
        console.info(f"[deploy] {step.name}: ok ({outcome.duration:.1f}s)")
