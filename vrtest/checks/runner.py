"""Run checks on routers: collect every command's output concurrently, then evaluate (pure)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone

from vrtest.access.shells import CommandResult, RouterShell, run_batch
from vrtest.checks.base import Check, CheckContext, RouterOutputs, Verdict
from vrtest.checks.election import Polling, settle
from vrtest.cloudstack.discovery import GuestVm, Router
from vrtest.cloudstack.vpns import ApiVpns
from vrtest.errors import UnreachableError
from vrtest.results import Outcome, SuiteResult, TestResult

ShellFactory = Callable[[Router], RouterShell]
Progress = Callable[[str], None]
SUITE_NAME = "vr-checks"


def commands_for(router: Router, checks: Sequence[Check]) -> list[str]:
    """The distinct commands the selected checks need on ``router``, in first-use order."""
    return list(dict.fromkeys(c for check in checks for c in check.commands(router)))


def collect(router: Router, open_shell: ShellFactory, checks: Sequence[Check]) -> RouterOutputs:
    """Run the checks' commands on one router; an unreachable router becomes an error record."""
    if router.state != "Running":
        return RouterOutputs(router, error=f"router is {router.state or 'in an unknown state'}")
    shell: RouterShell | None = None
    results: dict[str, CommandResult] = {}
    try:
        shell = open_shell(router)
        results.update(run_batch(shell, commands_for(router, checks)))
    except UnreachableError as exc:
        message = exc.one_line()
        if router.name not in message:
            message = f"router {router.name}: {message}"
        return RouterOutputs(router, results, error=message)
    finally:
        if shell is not None:
            shell.close()
    return RouterOutputs(router, results)


def collect_all(routers: Sequence[Router], open_shell: ShellFactory, checks: Sequence[Check],
                *, max_workers: int = 8, progress: Progress | None = None
                ) -> dict[str, RouterOutputs]:
    """Collect from every router with at most ``max_workers`` routers at a time."""
    def one(router: Router) -> RouterOutputs:
        outputs = collect(router, open_shell, checks)
        if progress:
            progress(f"{router.name}: {outputs.error or f'{len(outputs.results)} command(s) run'}")
        return outputs

    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        return {o.router.name: o for o in pool.map(one, routers)}


def with_api_state(outputs: Mapping[str, RouterOutputs], fresh: Sequence[Router]
                   ) -> dict[str, RouterOutputs]:
    """``outputs`` with each router's API redundant state replaced by the fresh one."""
    states = {router.id: router.redundant_state for router in fresh}
    return {
        name: replace(item, router=replace(item.router, redundant_state=states.get(
            item.router.id, item.router.redundant_state)))
        for name, item in outputs.items()
    }


def evaluate_all(outputs: Mapping[str, RouterOutputs], checks: Sequence[Check], *,
                 vms_by_network: Mapping[str, list[GuestVm]] | None = None,
                 vm_note: str = "", vpns: ApiVpns | None = None, vpn_note: str = ""
                 ) -> list[TestResult]:
    """Every check on every router, as TestResults (named ``check[router]``)."""
    results = []
    for name, router_outputs in outputs.items():
        ctx = CheckContext(router_outputs.router, router_outputs.results, outputs,
                           vms_by_network, vm_note, router_outputs.note, vpns, vpn_note)
        for check in checks:
            started = time.monotonic()
            verdict = _verdict(check, ctx, router_outputs)
            results.append(_test_result(check, name, verdict, time.monotonic() - started))
    return results


def _verdict(check: Check, ctx: CheckContext, outputs: RouterOutputs) -> Verdict:
    if outputs.error.startswith("router is "):
        return Verdict(Outcome.SKIPPED, outputs.error)
    if outputs.error:
        return Verdict(Outcome.ERROR, outputs.error)
    return check.evaluate(ctx)


def _test_result(check: Check, router: str, verdict: Verdict, duration: float) -> TestResult:
    return TestResult(
        name=f"{check.name}[{router}]",
        classname=f"vrtest.checks.{check.name.replace('-', '_')}",
        outcome=verdict.outcome,
        duration=duration,
        message=verdict.message,
        evidence=verdict.evidence,
        properties=(("check", check.name), ("router", router)),
    )


def check_routers(routers: Sequence[Router], open_shell: ShellFactory,
                  checks: Sequence[Check], *,
                  vms_by_network: Mapping[str, list[GuestVm]] | None = None, vm_note: str = "",
                  vpns: ApiVpns | None = None, vpn_note: str = "",
                  max_workers: int = 8, progress: Progress | None = None,
                  metadata: Mapping[str, str] | None = None,
                  refresh: Callable[[], Sequence[Router]] | None = None,
                  polling: Polling | None = None) -> SuiteResult:
    """Collect and evaluate; one SuiteResult(kind="checks") for the whole group.

    A redundant pair still electing is collected again for a few seconds (``polling``, see
    election.py). ``refresh`` re-reads the routers from the API after collection, so the API's
    redundant state is compared with what the routers said moments before, not at discovery.
    """
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock = time.monotonic()
    outputs = collect_all(routers, open_shell, checks, max_workers=max_workers,
                          progress=progress)
    outputs = settle(outputs, lambda item: collect(item.router, open_shell, checks),
                     polling or Polling())
    if refresh is not None and any(r.redundant for r in routers):
        outputs = with_api_state(outputs, refresh())
    tests = evaluate_all(outputs, checks, vms_by_network=vms_by_network, vm_note=vm_note,
                         vpns=vpns, vpn_note=vpn_note)
    return SuiteResult(
        name=SUITE_NAME, kind="checks", tests=tuple(tests),
        duration=time.monotonic() - clock, started=started, metadata=dict(metadata or {}),
    )
