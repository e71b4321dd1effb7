"""Fast-lane-only checks, next to the project's VR checks (``vrtest.checks``, run by backend.py).

``scripts``: every boot and update_config.py run exited 0 and cloud.log has no traceback;
``processes``: the daemons a scenario expects; ``state``: lines a scenario expects in a state
section (routes, rules, iptables, configs). Each talks to the router through ``shell()``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from vrtest.fastlane.apply import StepOutcome
from vrtest.fastlane.sandbox import CommandResult
from vrtest.fastlane.state import RouterState
from vrtest.results import Evidence, Outcome, TestResult


class Shell(Protocol):
    """Anything that runs a command on a router (sandbox, SSH)."""

    name: str

    def shell(self, command: str, *, timeout: float = ...) -> CommandResult:
        """Run a shell command line on the router."""


def _result(name: str, router: str, ok: bool, message: str, evidence: Sequence[Evidence],
            started: float) -> TestResult:
    return TestResult(name=f"{name}[{router}]", classname="fastlane",
                      outcome=Outcome.PASSED if ok else Outcome.FAILED,
                      duration=time.monotonic() - started, message="" if ok else message,
                      evidence=tuple(evidence), properties=(("check", name), ("router", router)))


def _run(shell: Shell, command: str) -> tuple[CommandResult, Evidence]:
    result = shell.shell(command)
    return result, Evidence(command, result.stdout + result.stderr, target=shell.name)


def processes(shell: Shell, expect: Sequence[str]) -> TestResult:
    """The daemons this scenario makes the scripts start are running inside the router."""
    started = time.monotonic()
    result, evidence = _run(shell, "ps -eo comm=")
    running = set(result.stdout.split())
    missing = [name for name in expect if name not in running]
    return _result("processes", shell.name, not missing, f"not running: {', '.join(missing)}",
                   [evidence], started)


def scripts(router: str, steps: Sequence[StepOutcome], log: CommandResult) -> TestResult:
    """Every boot and update_config.py run exited 0 and cloud.log has no traceback."""
    started = time.monotonic()
    failed = [f"{s.step} exited {s.exit_status}" for s in steps if not s.ok]
    if "Traceback" in log.stdout:
        failed.append("Python traceback in /var/log/cloud.log")
    evidence = [Evidence(f"{s.step}", s.output[-2000:], target=router,
                         note=f"exit {s.exit_status} in {s.duration:.2f}s") for s in steps]
    evidence.append(Evidence(log.command, log.stdout[-4000:], target=router))
    return _result("scripts", router, not failed, "; ".join(failed), evidence, started)


def expected_state(state: RouterState, expect: dict[str, Sequence[str]]) -> TestResult:
    """Every pattern a scenario lists for a state section matches one of its lines."""
    started = time.monotonic()
    missing, evidence = [], []
    for section, patterns in expect.items():
        text = state.text(section)
        gone = [p for p in patterns if not re.search(p, text, flags=re.M)]
        missing += [f"{section}: {p}" for p in gone]
        if gone:
            evidence.append(Evidence(f"state section {section}", text, target=state.router))
    return _result("state", state.router, not missing, "missing " + "; ".join(missing),
                   evidence, started)


def redundant_states(shells: Sequence[Shell]) -> tuple[dict[str, str], list[Evidence]]:
    """``checkrouter.sh`` status per router, with its evidence."""
    states, evidence = {}, []
    for shell in shells:
        result, ev = _run(shell, "/opt/cloud/bin/checkrouter.sh")
        match = re.search(r"Status: (\w+)", result.stdout)
        states[shell.name] = match.group(1) if match else "UNKNOWN"
        evidence.append(ev)
    return states, evidence


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.5) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
