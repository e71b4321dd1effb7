"""Discover virtual routers through the CloudStack API: listRouters, then listHosts for the hop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vrtest.checks.parsers.checkrouter import normalise_state
from vrtest.cloudstack.client import ApiError, CloudStackClient
from vrtest.errors import UnreachableError


@dataclass(frozen=True)
class Nic:
    """One router nic as the API reports it."""

    traffic_type: str  # Guest | Public | Control
    ip: str = ""
    gateway: str = ""
    netmask: str = ""
    network_id: str = ""
    network_name: str = ""
    mac: str = ""


@dataclass(frozen=True, repr=False)
class Router:
    """A virtual router and where it runs."""

    name: str
    id: str
    state: str
    host_address: str = ""
    linklocal_ip: str = ""
    vpc_id: str = ""
    vpc_name: str = ""
    network_ids: tuple[str, ...] = ()
    network_names: tuple[str, ...] = ()
    redundant: bool = False
    redundant_state: str = ""  # PRIMARY | BACKUP | FAULT | UNKNOWN ("" when not redundant)
    public_ip: str = ""
    public_gateway: str = ""
    account: str = ""
    nics: tuple[Nic, ...] = ()

    def __repr__(self) -> str:
        """Short, for test ids and pytest failure headers: ``Router(r-4-VM vpc 169.254.3.10)``."""
        return f"Router({self.name} {self.kind} {self.linklocal_ip or '-'})"

    @property
    def kind(self) -> str:
        """``vpc`` or ``isolated``."""
        return "vpc" if self.vpc_id else "isolated"

    @property
    def group(self) -> str:
        """What a redundant pair shares: its VPC, else its guest network."""
        return self.vpc_id or ",".join(sorted(self.network_ids))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name, "id": self.id, "state": self.state, "kind": self.kind,
            "host": self.host_address, "linklocal_ip": self.linklocal_ip,
            "vpc": self.vpc_name or self.vpc_id, "networks": list(self.network_names),
            "redundant": self.redundant, "redundant_state": self.redundant_state,
            "public_ip": self.public_ip, "public_gateway": self.public_gateway,
        }


@dataclass(frozen=True)
class RouterFilter:
    """Which routers to keep: by name, VPC, network or account (empty = all)."""

    names: tuple[str, ...] = ()
    vpcs: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()

    def keeps(self, router: Router) -> bool:
        """True when ``router`` matches every non-empty criterion (names match name or id)."""
        return (
            _any_match(self.names, (router.name, router.id))
            and _any_match(self.vpcs, (router.vpc_id, router.vpc_name))
            and _any_match(self.networks, router.network_ids + router.network_names)
            and _any_match(self.accounts, (router.account,))
        )


def _any_match(wanted: Sequence[str], values: Sequence[str]) -> bool:
    return not wanted or any(value in wanted for value in values if value)


@dataclass(frozen=True)
class GuestVm:
    """A guest VM's nic on one network (for the DHCP check)."""

    name: str
    network_id: str
    ip: str
    mac: str = ""


def discover_routers(client: CloudStackClient, filters: RouterFilter | None = None) -> list[Router]:
    """Routers matching ``filters``, each with its hypervisor host's address."""
    try:
        raw = client.list("listRouters", "router", listall="true")
    except ApiError as exc:
        raise UnreachableError(f"listRouters failed: {exc}") from None
    hosts: dict[str, str] = {}
    routers = []
    for item in raw:
        router = router_from_api(item, "")
        if filters and not filters.keeps(router):
            continue
        host_id = str(item.get("hostid", ""))
        if host_id and host_id not in hosts:
            hosts[host_id] = _host_address(client, host_id)
        routers.append(router_from_api(item, hosts.get(host_id, "")))
    return sorted(routers, key=lambda r: _natural_key(r.name))


def _host_address(client: CloudStackClient, host_id: str) -> str:
    try:
        found = client.list("listHosts", "host", id=host_id)
    except ApiError as exc:
        raise UnreachableError(f"listHosts id={host_id} failed: {exc}") from None
    return str(found[0].get("ipaddress", "")) if found else ""


def router_from_api(item: dict[str, Any], host_address: str) -> Router:
    """Build a Router from one listRouters item."""
    nics = tuple(_nic(n) for n in item.get("nic", ()))
    guest = [n for n in nics if n.traffic_type == "Guest"]
    public = next((n for n in nics if n.traffic_type == "Public"), None)
    redundant = bool(item.get("isredundantrouter", False))
    network_ids = tuple(n.network_id for n in guest if n.network_id) or _optional(
        item.get("guestnetworkid"))
    return Router(
        name=str(item.get("name", "")),
        id=str(item.get("id", "")),
        state=str(item.get("state", "")),
        host_address=host_address,
        linklocal_ip=str(item.get("linklocalip", "")),
        vpc_id=str(item.get("vpcid", "")),
        vpc_name=str(item.get("vpcname", "")),
        network_ids=network_ids,
        network_names=tuple(n.network_name for n in guest if n.network_name)
        or _optional(item.get("guestnetworkname")),
        redundant=redundant,
        redundant_state=normalise_state(str(item.get("redundantstate", ""))) if redundant else "",
        public_ip=str(item.get("publicip", "") or (public.ip if public else "")),
        public_gateway=(public.gateway if public and public.gateway else "")
        or str(item.get("gateway", "")),
        account=str(item.get("account", "")),
        nics=nics,
    )


def _nic(item: dict[str, Any]) -> Nic:
    return Nic(
        traffic_type=str(item.get("traffictype", "")),
        ip=str(item.get("ipaddress", "")),
        gateway=str(item.get("gateway", "")),
        netmask=str(item.get("netmask", "")),
        network_id=str(item.get("networkid", "")),
        network_name=str(item.get("networkname", "")),
        mac=str(item.get("macaddress", "")),
    )


def _optional(value: Any) -> tuple[str, ...]:
    return (str(value),) if value else ()


def _natural_key(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in name.replace("-", " ").split()]


def list_guest_vms(client: CloudStackClient, network_ids: Sequence[str]
                   ) -> tuple[dict[str, list[GuestVm]] | None, str]:
    """Guest VMs per network, or (None, reason) when the API has no listVirtualMachines."""
    result: dict[str, list[GuestVm]] = {}
    for network_id in sorted(set(network_ids)):
        try:
            items = client.list("listVirtualMachines", "virtualmachine",
                                networkid=network_id, listall="true")
        except ApiError as exc:
            return None, f"listVirtualMachines is not available ({exc.text or exc.code})"
        result[network_id] = [
            GuestVm(str(vm.get("name", "")), network_id, str(nic.get("ipaddress", "")),
                    str(nic.get("macaddress", "")).lower())
            for vm in items
            for nic in vm.get("nic", ())
            if str(nic.get("networkid", "")) == network_id and nic.get("ipaddress")
        ]
    return result, ""
