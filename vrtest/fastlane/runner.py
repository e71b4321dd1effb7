"""Run scenarios in sandboxes: boot, apply databags, settle, check, capture state."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vrtest.errors import VrtestError
from vrtest.fastlane import checks
from vrtest.fastlane.apply import StepOutcome, apply_bag, boot
from vrtest.fastlane.ns import LedgerClosed
from vrtest.fastlane.sandbox import Router, SandboxError, SandboxGroup
from vrtest.fastlane.scenario import Scenario
from vrtest.fastlane.state import RouterState, capture
from vrtest.results import Evidence, Outcome, SuiteResult, TestResult


@dataclass
class ScenarioRun:
    """What one scenario gave against one VR tree."""

    scenario: Scenario
    tree: Path
    started: str
    steps: list[StepOutcome] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    states: dict[str, RouterState] = field(default_factory=dict)
    duration: float = 0.0
    error: str = ""


@dataclass(frozen=True)
class Workspace:
    """Where sandboxes live and what they are built from."""

    pkg_root: Path | None
    run_dir: Path
    prefix: str
    backend: str = "nft"
    script_timeout: float = 60.0


def new_workspace(pkg_root: Path | None, base_dir: Path | None = None) -> Workspace:
    """A workspace with a prefix unique to this process (namespaces are machine-global)."""
    prefix = f"vfl{os.getpid()}"
    base = base_dir or Path(os.environ.get("VRTEST_FASTLANE_RUN", "/tmp/vrtest-fastlane"))
    return Workspace(pkg_root, base / prefix, prefix)


def run_scenario(scenario: Scenario, tree: Path, ws: Workspace, tag: str = "a") -> ScenarioRun:
    """Run one scenario against ``tree``; every sandbox is gone when this returns or raises."""
    run = ScenarioRun(scenario, tree, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    started = time.monotonic()
    group = SandboxGroup(f"{ws.prefix}{tag}", ws.run_dir / tag, tree, ws.pkg_root,
                         nics=scenario.nics, backend=ws.backend)
    try:
        with group:
            _drive(scenario, group, run, ws.script_timeout)
    except SandboxError as exc:
        run.error = exc.one_line()
    except LedgerClosed as exc:
        run.error = str(exc)
    finally:
        run.duration = time.monotonic() - started
    return run


def _drive(scenario: Scenario, group: SandboxGroup, run: ScenarioRun, timeout: float) -> None:
    routers = [group.add_router(r.name, r.index) for r in scenario.routers]
    for bridge, addresses in scenario.peer.items():
        for address in addresses:
            group.peer_run(["ip", "addr", "add", address, "dev", bridge])
    for definition, router in zip(scenario.routers, routers, strict=True):
        run.steps.append(boot(router, definition.boot, timeout=timeout))
    by_name = {r.name: r for r in routers}
    for step in scenario.steps:
        for name in step.routers:
            run.steps.append(apply_bag(by_name[name], step.file_name, step.bag, timeout=timeout))
    if scenario.redundant:
        shells = [by_name[n] for n in scenario.redundant]
        checks.wait_for(lambda: _elected(shells), scenario.settle)
    run.tests.extend(check_routers(scenario, routers, run.steps))
    run.states.update({r.name: capture(r) for r in routers})


def _elected(shells: list[Router]) -> bool:
    states, _ = checks.redundant_states(shells)
    return sorted(states.values()) == ["BACKUP"] * (len(shells) - 1) + ["PRIMARY"]


def check_routers(scenario: Scenario, routers: list[Router],
                  steps: list[StepOutcome]) -> list[TestResult]:
    """Every check the scenario asks for, on every router, plus the redundant group check."""
    tests = []
    for router in routers:
        tests.extend(_router_checks(scenario.expect.get(router.name, {}), router, steps))
    if scenario.redundant:
        group = [r for r in routers if r.name in set(scenario.redundant)]
        tests.append(checks.redundant_state(group))
        states, _ = checks.redundant_states(group)
        primary = [r for r in group if states[r.name] == "PRIMARY"]
        if scenario.primary and len(primary) == 1:
            tests.extend(_router_checks(scenario.primary, primary[0], []))
    return tests


def _router_checks(expect: dict[str, Any], router: Router,
                   steps: list[StepOutcome]) -> list[TestResult]:
    tests = []
    if steps:
        log = router.shell("grep -E -A12 'Traceback|ERROR' /var/log/cloud.log | tail -200")
        tests.append(checks.scripts(router.name, [s for s in steps if s.router == router.name],
                                    log))
    if "default-route" in expect:
        tests.append(checks.default_route(router, expect["default-route"]))
    if "iptables-policy" in expect:
        tests.append(checks.iptables_policy(router, expect["iptables-policy"]))
    if "services" in expect:
        tests.append(checks.services(router, expect["services"]))
    if "dhcp-dns" in expect:
        tests.append(checks.dhcp_dns(router, expect["dhcp-dns"]))
    if "vpn" in expect:
        tests.append(checks.vpn(router, expect["vpn"]))
    if "state" in expect:
        tests.append(checks.expected_state(capture(router), expect["state"]))
    return tests


def to_suite_result(run: ScenarioRun, changes: list[str] | None = None) -> SuiteResult:
    """The scenario as one ``SuiteResult(kind="fastlane")``; ``changes`` is the state diff."""
    tests = list(run.tests)
    if changes is not None:
        tests.append(state_diff_result(run.scenario.name, changes))
    return SuiteResult(
        name=f"fastlane/{run.scenario.name}", kind="fastlane", tests=tuple(tests),
        duration=run.duration, error=run.error, started=run.started,
        log_tail="\n".join(f"{s.router} {s.step}: exit {s.exit_status} ({s.duration:.2f}s)"
                           for s in run.steps),
        metadata={"scenario": run.scenario.name, "tree": str(run.tree),
                  "routers": ",".join(r.name for r in run.scenario.routers),
                  "description": run.scenario.description})


def state_diff_result(scenario: str, changes: list[str]) -> TestResult:
    """The base-vs-PR state diff as evidence (a change is evidence, not by itself a failure)."""
    summary = f"{len(changes)} state change(s) from base to PR" if changes else "no state change"
    return TestResult(name="state-diff", classname="fastlane", outcome=Outcome.PASSED,
                      message=summary, properties=(("changes", str(len(changes))),),
                      evidence=(Evidence("diff base PR", "\n".join(changes), target=scenario,
                                         note=summary),))


def harness_error(scenario: Scenario, exc: VrtestError) -> SuiteResult:
    """A scenario that could not run at all."""
    return SuiteResult(name=f"fastlane/{scenario.name}", kind="fastlane", error=exc.one_line(),
                       metadata={"scenario": scenario.name})
