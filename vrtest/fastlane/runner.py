"""Run scenarios in sandboxes: boot, apply databags, settle, check, capture state."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vrtest.errors import Interrupted, VrtestError
from vrtest.fastlane import checks
from vrtest.fastlane.apply import StepOutcome, apply_bag, boot
from vrtest.fastlane.backend import shared_checks
from vrtest.fastlane.compiled import compiled_tree
from vrtest.fastlane.ns import LedgerClosed
from vrtest.fastlane.probes import make_endpoints, pin_first_hops, run_probes
from vrtest.fastlane.sandbox import Router, SandboxError, SandboxGroup
from vrtest.fastlane.scenario import Outside, Scenario
from vrtest.fastlane.state import RouterState, capture
from vrtest.results import Evidence, Outcome, SuiteResult, TestResult

ELECTION_POLL = 0.2  # seconds between checkrouter.sh polls while a redundant group elects


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
    # seconds per phase (benchmarks); "probes" runs within "checks"
    phases: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the wall time spent in the block to ``phases[name]``."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.monotonic() - started

    def harness_time(self) -> float:
        """Wall time not spent in the VR scripts, the outside machines or the election wait."""
        scenario_work = sum(self.phases.get(p, 0.0) for p in ("scripts", "outside", "settle"))
        return self.duration - scenario_work


@dataclass(frozen=True)
class Workspace:
    """Where sandboxes live and what they are built from."""

    pkg_root: Path | None
    run_dir: Path
    prefix: str
    backend: str = "nft"
    script_timeout: float = 60.0
    cache_dir: Path | None = None  # where byte-compiled VR trees are kept (None: not compiled)


def new_workspace(pkg_root: Path | None, base_dir: Path | None = None) -> Workspace:
    """A workspace with a prefix unique to this process (namespaces are machine-global)."""
    prefix = f"vfl{os.getpid()}"
    base = base_dir or Path(os.environ.get("VRTEST_FASTLANE_RUN", "/tmp/vrtest-fastlane"))
    return Workspace(pkg_root, base / prefix, prefix,
                     cache_dir=pkg_root.parent if pkg_root is not None else None)


def run_scenario(scenario: Scenario, tree: Path, ws: Workspace, tag: str = "a") -> ScenarioRun:
    """Run one scenario against ``tree``; every sandbox is gone when this returns or raises."""
    run = ScenarioRun(scenario, tree, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    started = time.monotonic()
    files = compiled_tree(tree, ws.cache_dir) if ws.cache_dir is not None else tree
    group = SandboxGroup(f"{ws.prefix}{tag}", ws.run_dir / tag, files, ws.pkg_root,
                         nics=scenario.nics, backend=ws.backend)
    try:
        with group:
            _drive(scenario, group, run, ws.script_timeout)
    except Interrupted:
        raise
    except VrtestError as exc:  # SandboxError, LabError (a namespace command failed)
        run.error = exc.one_line()
    except LedgerClosed as exc:
        run.error = str(exc)
    finally:
        run.duration = time.monotonic() - started
    return run


def _drive(scenario: Scenario, group: SandboxGroup, run: ScenarioRun, timeout: float) -> None:
    with run.phase("sandboxes"), ThreadPoolExecutor(max_workers=1) as pool:
        making = pool.submit(make_endpoints, group, scenario.endpoints)  # while routers start
        routers = [group.add_router(r.name, r.index) for r in scenario.routers]
        for bridge, addresses in scenario.peer.items():
            for address in addresses:
                group.peer_run(["ip", "addr", "add", address, "dev", bridge])
        endpoints = making.result()
    with run.phase("scripts"):
        for definition, router in zip(scenario.routers, routers, strict=True):
            run.steps.append(boot(router, definition.boot, timeout=timeout))
    with run.phase("sandboxes"):
        outside = [(o, group.add_router(o.name, o.index)) for o in scenario.outside]
    with run.phase("outside"):
        for machine, sandbox in outside:
            for path, text in machine.files.items():
                sandbox.write(path, text)
            _prepare_outside(machine, sandbox, machine.setup, timeout)
    by_name = {r.name: r for r in routers}
    with run.phase("scripts"):
        for step in scenario.steps:
            for name in step.routers:
                run.steps.append(apply_bag(by_name[name], step.file_name, step.bag,
                                           timeout=timeout))
    with run.phase("outside"):
        for machine, sandbox in outside:
            _prepare_outside(machine, sandbox, machine.after, timeout)
    if scenario.redundant:
        with run.phase("settle"):
            shells = [by_name[n] for n in scenario.redundant]
            checks.wait_for(lambda: _elected(shells), scenario.settle, ELECTION_POLL)
    with run.phase("checks"), ThreadPoolExecutor(max_workers=1) as probing:
        # the probes run while the checks do: neither changes what the other reads (state
        # capture drops iptables counters; probes only add conntrack and neighbour entries)
        probes = probing.submit(_data_plane, scenario, routers, endpoints, run)
        _check(scenario, routers, run)
        run.tests.extend(probes.result())


def _data_plane(scenario: Scenario, routers: list[Router], endpoints: dict[str, str],
                run: ScenarioRun) -> list[TestResult]:
    """Pin ``via`` endpoints to the elected routers, then run the scenario's probes."""
    if not scenario.probes:
        return []
    with run.phase("probes"):
        return _probe_all(scenario, routers, endpoints)


def _probe_all(scenario: Scenario, routers: list[Router],
               endpoints: dict[str, str]) -> list[TestResult]:
    roles: dict[str, tuple[str, int]] = {}
    if any(e.via for e in scenario.endpoints):
        by_name = {r.name: r for r in routers}
        states = checks.redundant_states([by_name[n] for n in scenario.redundant])[0]
        index = {r.name: r.index for r in scenario.routers}
        for role in ("PRIMARY", "BACKUP"):
            holders = [name for name, state in states.items() if state == role]
            if len(holders) == 1:
                roles[role.lower()] = (holders[0], index[holders[0]])
    problems = pin_first_hops(scenario.endpoints, endpoints, roles)
    return run_probes(scenario.probes, scenario.endpoints, endpoints, routers, problems)


def _check(scenario: Scenario, routers: list[Router], run: ScenarioRun) -> None:
    """Capture every router's state (once: expectations and diff) while the checks run."""
    with ThreadPoolExecutor(max_workers=len(routers)) as pool:
        pending = {r.name: pool.submit(capture, r) for r in routers}

        def captured() -> dict[str, RouterState]:
            run.states.update({name: future.result() for name, future in pending.items()})
            return run.states

        run.tests.extend(check_routers(scenario, routers, run.steps, captured))


def _prepare_outside(machine: Outside, sandbox: Router, commands: tuple[str, ...],
                     timeout: float) -> None:
    """Run an outside machine's commands; a failure stops the scenario with the output."""
    for command in commands:
        result = sandbox.run(["/bin/bash", "-c", command], timeout=timeout)
        if result.returncode:
            output = " ".join((result.stdout + result.stderr).split())[-300:]
            raise SandboxError(f"outside machine {machine.name}: {command!r} exited "
                               f"{result.returncode}: {output}")


def _elected(shells: list[Router]) -> bool:
    states, _ = checks.redundant_states(shells)
    return sorted(states.values()) == ["BACKUP"] * (len(shells) - 1) + ["PRIMARY"]


def check_routers(scenario: Scenario, routers: list[Router], steps: list[StepOutcome],
                  captured: Callable[[], Mapping[str, RouterState]]) -> list[TestResult]:
    """The project's VR checks on every router, then the scenario's own expectations.

    ``captured`` gives the routers' states; it is called after the shared checks.
    """
    by_name = {r.name: r for r in routers}
    group = [by_name[n] for n in scenario.redundant]
    states = checks.redundant_states(group)[0] if group else {}
    tests = [_skip_if_asked(scenario, t) for t in shared_checks(scenario, by_name, states)]
    router_states = captured()
    for router in routers:
        tests.extend(_router_checks(scenario.expect.get(router.name, {}), router, steps,
                                    router_states[router.name]))
    primary = [r for r in group if states.get(r.name) == "PRIMARY"]
    if scenario.primary and len(primary) == 1:
        tests.extend(_router_checks(scenario.primary, primary[0], [],
                                    router_states[primary[0].name]))
    return tests


def _skip_if_asked(scenario: Scenario, test: TestResult) -> TestResult:
    reason = scenario.skip.get(dict(test.properties).get("check", ""))
    if reason is None or test.outcome is Outcome.SKIPPED:
        return test
    note = f"not applicable in the fast lane: {reason} (would be {test.outcome.value}: "
    return replace(test, outcome=Outcome.SKIPPED, message=note + f"{test.message})")


def _router_checks(expect: dict[str, Any], router: Router, steps: list[StepOutcome],
                   state: RouterState) -> list[TestResult]:
    tests = []
    if steps:
        log = router.shell("grep -E -A12 'Traceback|ERROR' /var/log/cloud.log | tail -200")
        tests.append(checks.scripts(router.name, [s for s in steps if s.router == router.name],
                                    log))
    if "processes" in expect:
        tests.append(checks.processes(router, expect["processes"]))
    if "state" in expect:
        tests.append(checks.expected_state(state, expect["state"]))
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
