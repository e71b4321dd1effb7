"""The lab's topology as data: routers with CloudStack's nic layouts, networks, VPCs, guest VMs.

Pure: built by :mod:`vrtest.lab.addressing`, saved in the state file, and read back
by ``status``, the faults and the API server.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from vrtest.errors import ConfigError


@dataclass(frozen=True)
class Nic:
    """One router nic as CloudStack lays it out."""

    device: str  # eth0, eth1...
    traffic: str  # Control | Public | Guest
    address: str
    prefixlen: int
    mac: str
    port: str  # the host-side end (vnetN) in the hypervisor-host namespace
    gateway: str = ""
    network: str = ""  # guest network key, "public" or "control"
    default: bool = False


@dataclass(frozen=True)
class Network:
    """A guest network: an isolated network or a VPC tier."""

    key: str
    name: str
    cidr: str
    gateway: str
    vlan: int
    vpc: str = ""
    redundant: bool = False

    @property
    def bridge(self) -> str:
        """Its bridge in the hypervisor-host namespace."""
        return f"brvlan{self.vlan}"


@dataclass(frozen=True)
class Vpc:
    """A VPC and its super-CIDR."""

    key: str
    name: str
    cidr: str


@dataclass(frozen=True)
class Router:
    """A virtual router: CloudStack name, kind and nics."""

    id: int
    kind: str  # vpc | isolated
    nics: tuple[Nic, ...]
    public_ip: str
    vpc: str = ""
    redundant: bool = False
    peer: str = ""  # the other router of a redundant pair
    priority: int = 100
    guest_networks: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """CloudStack's instance name, ``r-<id>-VM``."""
        return f"r-{self.id}-VM"

    def nic(self, traffic: str) -> Nic:
        """The first nic of ``traffic`` type."""
        return next(nic for nic in self.nics if nic.traffic == traffic)

    def guest_nics(self) -> list[Nic]:
        """Guest nics in device order."""
        return [nic for nic in self.nics if nic.traffic == "Guest"]


@dataclass(frozen=True)
class GuestVm:
    """A guest VM namespace on one guest network (to ping through the router)."""

    id: int
    network: str
    address: str
    prefixlen: int
    gateway: str
    mac: str
    port: str

    @property
    def name(self) -> str:
        """CloudStack's instance name, ``i-2-<id>-VM``."""
        return f"i-2-{self.id}-VM"


@dataclass(frozen=True)
class Topology:
    """The whole lab layout."""

    routers: tuple[Router, ...]
    networks: tuple[Network, ...]
    vpcs: tuple[Vpc, ...]
    vms: tuple[GuestVm, ...]
    extra_routers: int = 0

    def router(self, name: str) -> Router:
        """The router called ``name``; a clear error when there is none."""
        for router in self.routers:
            if router.name == name:
                return router
        names = ", ".join(r.name for r in self.routers[:8])
        raise ConfigError(f"no router {name!r} in the lab", hint=f"routers: {names}...")

    def network(self, key: str) -> Network:
        """The guest network with ``key``."""
        return next(network for network in self.networks if network.key == key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form saved in the state file."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Topology:
        """Rebuild from :meth:`to_dict` output."""
        routers = tuple(
            Router(
                **{
                    **r,
                    "nics": tuple(Nic(**n) for n in r["nics"]),
                    "guest_networks": tuple(r["guest_networks"]),
                }
            )
            for r in data["routers"]
        )
        return cls(
            routers=routers,
            networks=tuple(Network(**n) for n in data["networks"]),
            vpcs=tuple(Vpc(**v) for v in data["vpcs"]),
            vms=tuple(GuestVm(**v) for v in data["vms"]),
            extra_routers=int(data.get("extra_routers", 0)),
        )
