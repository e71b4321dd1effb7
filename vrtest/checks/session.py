"""Check an environment's routers: discover them through the API, reach them, run the checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from vrtest.access.pool import AccessPool
from vrtest.checks.registry import select_checks
from vrtest.checks.runner import Progress, check_routers
from vrtest.cloudstack.client import CloudStackClient
from vrtest.cloudstack.discovery import Router, RouterFilter, discover_routers, list_guest_vms
from vrtest.cloudstack.vpns import list_vpns
from vrtest.environment import Environment
from vrtest.errors import ConfigError, UsageError
from vrtest.results import Outcome, SuiteResult, TestResult

SUITE_NAME = "vr-checks"


def no_real_vrs_reason(env: Environment) -> str:
    """Why ``env`` cannot be checked (empty when it has real routers)."""
    if not env.capabilities.real_vrs:
        return (f"environment {env.name!r} has no real virtual routers "
                f"(capabilities.real_vrs: false, hypervisor {env.hypervisor})")
    return ""


def client_for(env: Environment) -> CloudStackClient:
    """An API client from ``env.management``: signed with the keys, else the integration port."""
    management = env.management
    if management is None:
        raise ConfigError("no management server in the descriptor", path=str(env.path),
                          key="management", hint="VR discovery needs the CloudStack API")
    timeout = float(env.vr_access.connect_timeout) * 3
    if management.api_key and management.secret_key:
        return CloudStackClient(management.api_url, management.api_key, management.secret_key,
                                timeout=timeout)
    if management.integration_port:
        url = f"http://{management.address}:{management.integration_port}/client/api"
        return CloudStackClient(url, timeout=timeout)
    raise ConfigError("neither api_key/secret_key nor integration_port is set",
                      path=str(env.path), key="management",
                      hint="add the API keys (e.g. ${VRTEST_API_KEY}) or the integration port")


def not_run_result(reason: str, checks: Sequence[str] | None = None) -> SuiteResult:
    """Every selected check NOT RUN for ``reason``."""
    tests = tuple(TestResult(name=check.name, classname=SUITE_NAME, outcome=Outcome.NOT_RUN,
                             message=reason) for check in select_checks(list(checks or ())))
    return SuiteResult(SUITE_NAME, "checks", tests, error="",
                       started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       metadata={"not_run": reason})


def find_routers(client: CloudStackClient, filters: RouterFilter) -> list[Router]:
    """Discovered routers; a router named with --router that does not exist is a usage error."""
    routers = discover_routers(client, filters)
    found = {name for router in routers for name in (router.name, router.id)}
    missing = [name for name in filters.names if name not in found]
    if missing:
        known = ", ".join(r.name for r in discover_routers(client)) or "none"
        raise UsageError(f"router {', '.join(missing)} not found", hint=f"routers: {known}")
    return routers


def run_checks(env: Environment, checks: Sequence[str] | None = None, *,
               filters: RouterFilter | None = None, progress: Progress | None = None,
               max_workers: int | None = None) -> SuiteResult:
    """All (or the named) checks on the environment's routers, as one SuiteResult."""
    selected = select_checks(list(checks or ()))
    reason = no_real_vrs_reason(env)
    if reason:
        return not_run_result(reason, checks)
    client = client_for(env)
    routers = find_routers(client, filters or RouterFilter())
    vms, vm_note = None, ""
    if any(check.name == "dhcp-dns" for check in selected):
        vms, vm_note = list_guest_vms(client, [n for r in routers for n in r.network_ids])
    vpns, vpn_note = None, ""
    if any(check.name == "vpn" for check in selected):
        vpns, vpn_note = list_vpns(client)
    pool = AccessPool.for_environment(env)
    try:
        return check_routers(
            routers, lambda r: pool.shell(r.name, r.linklocal_ip, r.host_address), selected,
            vms_by_network=vms, vm_note=vm_note, vpns=vpns, vpn_note=vpn_note,
            progress=progress,
            max_workers=max_workers or pool.settings.max_workers,
            metadata={"env": env.name, "routers": str(len(routers))},
            refresh=lambda: discover_routers(client, filters),
        )
    finally:
        pool.close()
