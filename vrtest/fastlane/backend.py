"""The fast-lane backend for the shared VR checks (``vrtest.checks``).

A sandboxed router is a ``RouterShell`` (its commands run inside its namespaces), and the
``Router`` records the checks read are built from the scenario's own databags, as the
management server's API would report them. The checks then run unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vrtest.access.shells import CommandResult
from vrtest.checks.base import Check
from vrtest.checks.registry import CHECKS
from vrtest.checks.runner import collect_all, evaluate_all
from vrtest.cloudstack.discovery import GuestVm, Nic
from vrtest.cloudstack.discovery import Router as ApiRouter
from vrtest.fastlane.sandbox import Router, SandboxError
from vrtest.fastlane.scenario import RouterDef, Scenario
from vrtest.results import TestResult

COMMAND_TIMEOUT = 30.0


class SandboxShell:
    """``RouterShell`` over a sandboxed router."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.name = router.name

    def run(self, command: str) -> CommandResult:
        """Run a shell command line inside the router."""
        try:
            result = self.router.run(["/bin/bash", "-c", command], timeout=COMMAND_TIMEOUT)
        except SandboxError as exc:
            return CommandResult(command, 124, "", exc.one_line())
        return CommandResult(command, result.returncode, result.stdout, result.stderr)

    def close(self) -> None:
        """Nothing to close: every command is its own process."""


def api_router(scenario: Scenario, definition: RouterDef, redundant_state: str) -> ApiRouter:
    """The ``Router`` record the API would give for this sandbox router."""
    line = definition.boot.get("cmd_line", {})
    public = _public_address(scenario, definition.name) or {}
    if not public and line.get("gateway"):
        public = {"public_ip": line.get("eth2ip", ""), "gateway": line["gateway"]}
    guests = _guest_networks(scenario, definition)
    return ApiRouter(
        name=definition.name, id=definition.name, state="Running",
        vpc_id="vpc" if line.get("type") == "vpcrouter" else "",
        network_ids=tuple(guests), network_names=tuple(guests),
        redundant=definition.name in scenario.redundant,
        redundant_state=redundant_state if definition.name in scenario.redundant else "",
        public_ip=str(public.get("public_ip", "")), public_gateway=str(public.get("gateway", "")),
        nics=tuple(Nic("Guest", network_id=g, network_name=g) for g in guests))


def _public_address(scenario: Scenario, router: str) -> dict[str, Any] | None:
    for step in scenario.steps:
        if router in step.routers and step.bag.get("type") == "ips":
            for address in step.bag.get("ip_address", []):
                public = str(address.get("nw_type", "public")).lower() == "public"
                if public and address.get("source_nat") and not address.get("is_private_gateway"):
                    return dict(address)
    return None


def _guest_networks(scenario: Scenario, definition: RouterDef) -> list[str]:
    nets = [str(s.bag["cidr"]) for s in scenario.steps
            if definition.name in s.routers and s.bag.get("type") == "guestnetwork"]
    line = definition.boot.get("cmd_line", {})
    if line.get("type") == "router" and line.get("eth0ip"):
        nets.append(_cidr(str(line["eth0ip"]), str(line.get("eth0mask", "255.255.255.0"))))
    return nets


def _cidr(ip: str, mask: str) -> str:
    import ipaddress

    return str(ipaddress.ip_network(f"{ip}/{mask}", strict=False))


def guest_vms(scenario: Scenario, networks: Sequence[str]) -> dict[str, list[GuestVm]]:
    """VMs the scenario's DHCP entries describe, by the guest network holding their IP."""
    import ipaddress

    vms: dict[str, list[GuestVm]] = {n: [] for n in networks}
    for step in scenario.steps:
        bag = step.bag
        if bag.get("type") != "dhcpentry" or bag.get("remove"):
            continue
        for network in networks:
            if ipaddress.ip_address(bag["ipv4_address"]) in ipaddress.ip_network(network):
                vms[network].append(GuestVm(str(bag.get("host_name", "")), network,
                                            str(bag["ipv4_address"]),
                                            str(bag.get("mac_address", ""))))
    return vms


def shared_checks(scenario: Scenario, routers: Mapping[str, Router],
                  redundant_states: Mapping[str, str],
                  checks: Sequence[Check] = CHECKS) -> list[TestResult]:
    """Run the project's VR checks on the sandbox routers, exactly as on real ones."""
    records = [api_router(scenario, d, redundant_states.get(d.name, "")) for d in scenario.routers]
    networks = sorted({n for r in records for n in r.network_ids})
    outputs = collect_all(records, lambda r: SandboxShell(routers[r.name]), checks,
                          max_workers=4)
    return evaluate_all(outputs, checks, vms_by_network=guest_vms(scenario, networks),
                        vm_note="VMs from the scenario's DHCP entries")
