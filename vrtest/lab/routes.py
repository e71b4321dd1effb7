"""``ip -batch`` commands that give each namespace its addresses, routes and rules.

Routers get CloudStack's layout: per-nic ``Table_ethN`` tables with throw routes,
fwmark rules and the main-table default route via the public gateway.
"""

from __future__ import annotations

import ipaddress

from vrtest.lab.config import LabConfig
from vrtest.lab.iptables import mark
from vrtest.lab.topology import GuestVm, Nic, Router, Topology
from vrtest.lab.vrfiles import table_id

INTERNET_STAND_IN = "8.8.8.8/32"  # on the public gateway's loopback, so guests can ping "out"


def _address(nic: Nic) -> str:
    return f"addr add {nic.address}/{nic.prefixlen} brd + dev {nic.device}"


def default_routes(router: Router) -> list[str]:
    """The two default routes a non-BACKUP router has (main table and ``Table_<public>``)."""
    public = router.nic("Public")
    return [
        f"route replace default via {public.gateway} dev {public.device} "
        f"table {table_id(public.device)} proto static",
        f"route replace default via {public.gateway} dev {public.device}",
    ]


def router_commands(router: Router, topology: Topology) -> list[str]:
    """Addresses, links, routes and rules inside one router namespace."""
    public = router.nic("Public")
    commands = [_address(nic) for nic in router.nics]
    commands += [
        f"link set dev {nic.device} up"
        for nic in router.nics
        if not (router.redundant and nic is public)
    ]
    if router.kind == "vpc":
        return commands + _vpc_routes(router, topology)
    return commands + _isolated_routes(router, topology)


def _vpc_routes(router: Router, topology: Topology) -> list[str]:
    public, tiers = router.nic("Public"), router.guest_nics()
    table, subnet = table_id(public.device), _network_of(f"{public.address}/{public.prefixlen}")
    cidrs = [topology.network(nic.network).cidr for nic in tiers]
    commands = [default_routes(router)[0]]
    commands += [f"route add throw {cidr} table {table} proto static" for cidr in cidrs]
    commands.append(f"route add throw {subnet} table {table} proto static")
    commands += [
        f"route add throw {cidr} table {table_id(nic.device)} proto static"
        for nic, cidr in zip(tiers, cidrs, strict=True)
    ]
    commands += [
        default_routes(router)[1],
        f"rule add fwmark {mark(public.device)} table {table}",
        f"rule add from {subnet} table {table}",
    ]
    return commands + [
        f"rule add fwmark {mark(nic.device)} table {table_id(nic.device)}" for nic in tiers
    ]


def _isolated_routes(router: Router, topology: Topology) -> list[str]:
    """Redundant routers get no default route here: keepalived's PRIMARY hook adds it."""
    public, guest = router.nic("Public"), router.nic("Guest")
    table, subnet = table_id(public.device), _network_of(f"{public.address}/{public.prefixlen}")
    cidr = topology.network(guest.network).cidr
    defaults = [] if router.redundant else default_routes(router)
    commands = [f"route add throw {cidr} table {table_id(guest.device)} proto static"]
    commands += defaults[:1]
    commands += [
        f"route add throw {throw} table {table} proto static"
        for throw in (cidr, "169.254.0.0/16", subnet)
    ]
    commands += defaults[1:]
    commands += [
        f"rule add fwmark {mark(guest.device)} table {table_id(guest.device)}",
        f"rule add fwmark {mark(public.device)} table {table}",
        f"rule add from {subnet} table {table}",
    ]
    return commands


def _network_of(cidr: str) -> str:
    return str(ipaddress.IPv4Interface(cidr).network)


def host_commands(config: LabConfig, topology: Topology) -> list[str]:
    """The hypervisor host: management nic, ``cloud0``, the public and guest bridges, ports."""
    commands = [
        f"addr add {config.host_address}/{config.management_cidr.prefixlen} dev eth0",
        "link set dev eth0 up",
        "link add cloud0 type bridge",
        "addr add 169.254.0.1/16 dev cloud0",
        "link set dev cloud0 up",
        "link add cloudbr1 type bridge",
        "link set dev cloudbr1 up",
        "link set dev pubuplink master cloudbr1 up",
    ]
    for network in topology.networks:
        commands += [f"link add {network.bridge} type bridge", f"link set dev {network.bridge} up"]
    for router in topology.routers:
        commands += [
            f"link set dev {nic.port} master {_bridge(nic, topology)} up" for nic in router.nics
        ]
    commands += [
        f"link set dev {vm.port} master {topology.network(vm.network).bridge} up"
        for vm in topology.vms
    ]
    return commands


def _bridge(nic: Nic, topology: Topology) -> str:
    if nic.traffic == "Control":
        return "cloud0"
    if nic.traffic == "Public":
        return "cloudbr1"
    return topology.network(nic.network).bridge


def public_commands(config: LabConfig) -> list[str]:
    """The public upstream namespace: the gateway address and an internet stand-in."""
    return [
        f"addr add {config.public_gateway}/{config.public_cidr.prefixlen} dev eth0",
        "link set dev eth0 up",
        f"addr add {INTERNET_STAND_IN} dev lo",
    ]


def vm_commands(vm: GuestVm) -> list[str]:
    """A guest VM: its address and default route via the router (or the redundant VIP)."""
    return [
        f"addr add {vm.address}/{vm.prefixlen} dev eth0",
        "link set dev eth0 up",
        f"route add default via {vm.gateway}",
    ]


def veth_commands(prefix: str, topology: Topology) -> list[str]:
    """Root-namespace ``ip -batch`` lines that create every veth straight into its namespaces."""
    host = f"{prefix}-host"
    commands = [f"link add eth0 netns {prefix}-pub type veth peer name pubuplink netns {host}"]
    for router in topology.routers:
        for nic in router.nics:
            commands.append(
                f"link add {nic.device} address {nic.mac} netns {prefix}-{router.name} "
                f"type veth peer name {nic.port} netns {host}"
            )
    for vm in topology.vms:
        commands.append(
            f"link add eth0 address {vm.mac} netns {prefix}-{vm.name} "
            f"type veth peer name {vm.port} netns {host}"
        )
    return commands
