"""Build the lab's topology: who gets which subnet, address, MAC and host-side port."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from vrtest.errors import ConfigError
from vrtest.lab.config import LabConfig
from vrtest.lab.topology import GuestVm, Network, Nic, Router, Topology, Vpc

LINK_LOCAL_BASE = ipaddress.IPv4Address("169.254.3.6")  # r-4-VM gets 169.254.3.10, as the goldens
GUEST_VM_HOST = 100  # guest VMs take .100 of their network


@dataclass
class _Allocator:
    """Hands out subnets, public IPs, host-side port names and ids in order."""

    config: LabConfig
    subnets: list[ipaddress.IPv4Network] = field(default_factory=list)
    next_public: int = 10
    next_port: int = 0
    next_vm: int = 10
    next_vlan: int = 101

    def subnet(self) -> ipaddress.IPv4Network:
        if not self.subnets:
            self.subnets = list(self.config.guest_cidr.subnets(new_prefix=24))[1:]
            self.subnets.reverse()
        if not self.subnets:
            raise ConfigError("lab.guest_cidr has no more /24 networks", hint="use a larger range")
        return self.subnets.pop()

    def public_ip(self) -> str:
        address = self.config.public_cidr.network_address + self.next_public
        if address >= self.config.public_cidr.broadcast_address:
            raise ConfigError(
                "lab.public_cidr has no more addresses for routers",
                hint="use a larger public_cidr or fewer --routers",
            )
        self.next_public += 1
        return str(address)

    def port(self) -> str:
        self.next_port += 1
        return f"vnet{self.next_port - 1}"


def build_topology(config: LabConfig, extra_routers: int = 0) -> Topology:
    """The default lab (r-4 VPC, r-5 isolated, r-6/r-7 redundant) plus ``extra_routers``."""
    alloc = _Allocator(config)
    parts: list[tuple[list[Router], list[Network], list[Vpc]]] = [
        _vpc_router(alloc, 4, "vpc-1", tiers=2),
        _isolated_routers(alloc, 5, "net-isolated", redundant=False),
        _isolated_routers(alloc, 6, "net-redundant", redundant=True),
    ]
    next_id = 8
    for index in range(extra_routers):
        if index % 2 == 0:
            parts.append(_vpc_router(alloc, next_id, f"vpc-{index // 2 + 2}", tiers=1))
        else:
            parts.append(_isolated_routers(alloc, next_id, f"net-{next_id}", redundant=False))
        next_id += 1
    routers = [r for part in parts for r in part[0]]
    networks = [n for part in parts for n in part[1]]
    vpcs = [v for part in parts for v in part[2]]
    alloc.next_vm = next_id + 2
    vms = [_guest_vm(alloc, network) for network in networks]
    return Topology(tuple(routers), tuple(networks), tuple(vpcs), tuple(vms), extra_routers)


def _network(
    alloc: _Allocator, key: str, name: str, vpc: str = "", redundant: bool = False
) -> Network:
    subnet = alloc.subnet()
    alloc.next_vlan += 1
    return Network(
        key=key,
        name=name,
        cidr=str(subnet),
        gateway=str(subnet.network_address + 1),
        vlan=alloc.next_vlan - 1,
        vpc=vpc,
        redundant=redundant,
    )


def _control_nic(alloc: _Allocator, router_id: int, device: str) -> Nic:
    address = LINK_LOCAL_BASE + router_id
    low = address.packed
    mac = f"0e:00:a9:fe:{low[2]:02x}:{low[3]:02x}"
    return Nic(device, "Control", str(address), 16, mac, alloc.port(), network="control")


def _public_nic(alloc: _Allocator, router_id: int, device: str, address: str) -> Nic:
    mac = f"1e:00:{router_id >> 8 & 255:02x}:{router_id & 255:02x}:00:{int(device[3:]):02x}"
    return Nic(
        device,
        "Public",
        address,
        alloc.config.public_cidr.prefixlen,
        mac,
        alloc.port(),
        gateway=alloc.config.public_gateway,
        network="public",
        default=True,
    )


def _guest_nic(
    alloc: _Allocator, router_id: int, device: str, network: Network, address: str
) -> Nic:
    mac = f"02:00:{router_id >> 8 & 255:02x}:{router_id & 255:02x}:00:{int(device[3:]):02x}"
    prefixlen = ipaddress.IPv4Network(network.cidr).prefixlen
    return Nic(
        device,
        "Guest",
        address,
        prefixlen,
        mac,
        alloc.port(),
        gateway=network.gateway,
        network=network.key,
    )


def _vpc_router(
    alloc: _Allocator, router_id: int, vpc_name: str, tiers: int
) -> tuple[list[Router], list[Network], list[Vpc]]:
    vpc = Vpc(key=vpc_name, name=vpc_name, cidr=str(alloc.config.guest_cidr))
    networks = [
        _network(alloc, f"{vpc_name}-tier{n + 1}", f"{vpc_name}-tier{n + 1}", vpc=vpc.key)
        for n in range(tiers)
    ]
    public_ip = alloc.public_ip()
    nics = [
        _control_nic(alloc, router_id, "eth0"),
        _public_nic(alloc, router_id, "eth1", public_ip),
    ]
    nics += [
        _guest_nic(alloc, router_id, f"eth{n + 2}", network, network.gateway)
        for n, network in enumerate(networks)
    ]
    router = Router(
        id=router_id,
        kind="vpc",
        nics=tuple(nics),
        public_ip=public_ip,
        vpc=vpc.key,
        guest_networks=tuple(n.key for n in networks),
    )
    return [router], networks, [vpc]


def _isolated_routers(
    alloc: _Allocator, first_id: int, name: str, redundant: bool
) -> tuple[list[Router], list[Network], list[Vpc]]:
    network = _network(alloc, name, name, redundant=redundant)
    public_ip = alloc.public_ip()
    base = ipaddress.IPv4Address(network.gateway)
    ids = [first_id, first_id + 1] if redundant else [first_id]
    routers = []
    for index, router_id in enumerate(ids):
        guest_ip = str(base + 1 + index) if redundant else network.gateway
        nics = (
            _guest_nic(alloc, router_id, "eth0", network, guest_ip),
            _control_nic(alloc, router_id, "eth1"),
            _public_nic(alloc, router_id, "eth2", public_ip),
        )
        peer = f"r-{ids[1 - index]}-VM" if redundant else ""
        routers.append(
            Router(
                id=router_id,
                kind="isolated",
                nics=nics,
                public_ip=public_ip,
                redundant=redundant,
                peer=peer,
                priority=101 - index,
                guest_networks=(network.key,),
            )
        )
    return routers, [network], []


def _guest_vm(alloc: _Allocator, network: Network) -> GuestVm:
    subnet = ipaddress.IPv4Network(network.cidr)
    vm_id = alloc.next_vm
    alloc.next_vm += 1
    mac = f"02:01:{vm_id >> 8 & 255:02x}:{vm_id & 255:02x}:00:00"
    return GuestVm(
        id=vm_id,
        network=network.key,
        address=str(subnet.network_address + GUEST_VM_HOST),
        prefixlen=subnet.prefixlen,
        gateway=network.gateway,
        mac=mac,
        port=alloc.port(),
    )
