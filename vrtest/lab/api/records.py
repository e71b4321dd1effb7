"""CloudStack API records (zone, host, router, network, VPC, IP, VM) built from the lab topology."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable
from typing import Any

from vrtest.lab.topology import GuestVm, Network, Nic, Router, Topology

Record = dict[str, Any]
CREATED = "2026-01-01T00:00:00+0000"
_NAMESPACE = uuid.UUID("6f1c3a4e-2b7d-4f7e-9a51-0c2d8e4b7a10")


class Records:
    """Builds every record of one lab; ``roles`` gives a redundant router's live state."""

    def __init__(
        self, prefix: str, config: dict[str, Any], topology: Topology, roles: Callable[[str], str]
    ) -> None:
        self.prefix, self.config, self.topology, self.roles = prefix, config, topology, roles
        self.zone_id = self.uuid("zone", str(config.get("zone_name", "local-zone")))
        self.host_id = self.uuid("host", "kvm-host-1")
        self.public_network_id = self.uuid("network", "public")

    def uuid(self, kind: str, key: str) -> str:
        """A stable UUID for ``kind``/``key`` in this lab (the same on every ``up``)."""
        return str(uuid.uuid5(_NAMESPACE, f"{self.prefix}/{kind}/{key}"))

    def _zone_fields(self) -> Record:
        return {"zoneid": self.zone_id, "zonename": self.config.get("zone_name", "local-zone")}

    def zones(self) -> list[Record]:
        """``listZones``."""
        return [
            {
                "id": self.zone_id,
                "name": self.config.get("zone_name", "local-zone"),
                "networktype": "Advanced",
                "allocationstate": "Enabled",
                "dns1": self.public_gateway(),
                "internaldns1": self.root_address(),
                "guestcidraddress": self.config.get("guest_cidr"),
                "securitygroupsenabled": False,
                "localstorageenabled": False,
            }
        ]

    def hosts(self) -> list[Record]:
        """``listHosts``: the one KVM hypervisor host."""
        return [
            {
                "id": self.host_id,
                "name": "kvm-host-1",
                "ipaddress": self.host_address(),
                "type": "Routing",
                "hypervisor": "KVM",
                "state": "Up",
                "resourcestate": "Enabled",
                "hypervisorversion": "",
                "version": "4.22.0.0",
                "podname": "local-pod",
                "clustername": "local-cluster",
                "created": CREATED,
                **self._zone_fields(),
            }
        ]

    def routers(self) -> list[Record]:
        """``listRouters``, with the redundant state each router reports right now."""
        return [self.router(router) for router in self.topology.routers]

    def router(self, router: Router) -> Record:
        """One ``listRouters`` entry."""
        control, public = router.nic("Control"), router.nic("Public")
        record: Record = {
            "id": self.uuid("router", router.name),
            "name": router.name,
            "state": "Running",
            "hostid": self.host_id,
            "hostname": "kvm-host-1",
            "hypervisor": "KVM",
            "linklocalip": control.address,
            "linklocalmacaddress": control.mac,
            "linklocalnetmask": _netmask(control.prefixlen),
            "publicip": public.address,
            "publicmacaddress": public.mac,
            "publicnetmask": _netmask(public.prefixlen),
            "publicnetworkid": self.public_network_id,
            "gateway": public.gateway,
            "isredundantrouter": router.redundant,
            "redundantstate": self.roles(router.name) if router.redundant else "UNKNOWN",
            "role": "VIRTUAL_ROUTER",
            "account": "system",
            "domain": "ROOT",
            "templateversion": "Cloudstack Release 4.22.0",
            "version": "4.22.0",
            "requiresupgrade": False,
            "created": CREATED,
            "dns1": public.gateway,
            "nic": [self.nic(router.name, nic) for nic in router.nics],
            **self._zone_fields(),
        }
        record.update(self._placement(router))
        return record

    def _placement(self, router: Router) -> Record:
        """A VPC router's VPC, or an isolated router's guest network fields."""
        if router.vpc:
            return {"vpcid": self.uuid("vpc", router.vpc), "vpcname": router.vpc}
        guest = router.nic("Guest")
        network = self.topology.network(guest.network)
        return {
            "guestipaddress": guest.address,
            "guestmacaddress": guest.mac,
            "guestnetmask": _netmask(guest.prefixlen),
            "guestnetworkid": self.uuid("network", network.key),
            "guestnetworkname": network.name,
        }

    def nic(self, owner: str, nic: Nic) -> Record:
        """One ``nic[]`` entry of a router."""
        network_id = {
            "control": self.uuid("network", "control"),
            "public": self.public_network_id,
        }.get(nic.network)
        record: Record = {
            "id": self.uuid("nic", f"{owner}/{nic.device}"),
            "deviceid": nic.device[3:],
            "networkid": network_id or self.uuid("network", nic.network),
            "ipaddress": nic.address,
            "netmask": _netmask(nic.prefixlen),
            "gateway": nic.gateway or None,
            "macaddress": nic.mac,
            "traffictype": nic.traffic,
            "isdefault": nic.default,
            "type": "Isolated" if nic.traffic == "Guest" else None,
        }
        if nic.traffic == "Guest":
            network = self.topology.network(nic.network)
            record.update(
                networkname=network.name,
                broadcasturi=f"vlan://{network.vlan}",
                isolationuri=f"vlan://{network.vlan}",
            )
        return {key: value for key, value in record.items() if value is not None}

    def networks(self) -> list[Record]:
        """``listNetworks``: isolated networks and VPC tiers."""
        return [self.network(network) for network in self.topology.networks]

    def network(self, network: Network) -> Record:
        """One ``listNetworks`` entry."""
        subnet = ipaddress.IPv4Network(network.cidr)
        record: Record = {
            "id": self.uuid("network", network.key),
            "name": network.name,
            "displaytext": network.name,
            "cidr": network.cidr,
            "gateway": network.gateway,
            "netmask": str(subnet.netmask),
            "type": "Isolated",
            "traffictype": "Guest",
            "state": "Implemented",
            "broadcasturi": f"vlan://{network.vlan}",
            "vlan": str(network.vlan),
            "redundantrouter": network.redundant,
            "networkdomain": "cs2cloud.internal",
            "account": "admin",
            "domain": "ROOT",
            "ispersistent": False,
            "restartrequired": False,
            "specifyipranges": False,
            "canusefordeploy": True,
            "dns1": self.public_gateway(),
            **self._zone_fields(),
        }
        if network.vpc:
            record.update(vpcid=self.uuid("vpc", network.vpc))
        return record

    def vpcs(self) -> list[Record]:
        """``listVPCs``."""
        return [
            {
                "id": self.uuid("vpc", vpc.key),
                "name": vpc.name,
                "displaytext": vpc.name,
                "cidr": vpc.cidr,
                "state": "Enabled",
                "redundantvpcrouter": False,
                "vpcofferingname": "Default VPC offering",
                "restartrequired": False,
                "networkdomain": "cs2cloud.internal",
                "account": "admin",
                "domain": "ROOT",
                "network": [self.network(n) for n in self.topology.networks if n.vpc == vpc.key],
                **self._zone_fields(),
            }
            for vpc in self.topology.vpcs
        ]

    def public_ips(self) -> list[Record]:
        """``listPublicIpAddresses``: one source-NAT IP per VPC or isolated network."""
        seen: dict[str, Record] = {}
        for router in self.topology.routers:
            if router.public_ip in seen:
                continue
            record: Record = {
                "id": self.uuid("ip", router.public_ip),
                "ipaddress": router.public_ip,
                "issourcenat": True,
                "isstaticnat": False,
                "state": "Allocated",
                "forvirtualnetwork": True,
                "networkid": self.public_network_id,
                "allocated": CREATED,
                "vlanname": "untagged",
                **self._zone_fields(),
            }
            if router.vpc:
                record.update(vpcid=self.uuid("vpc", router.vpc), vpcname=router.vpc)
            else:
                network = self.topology.network(router.guest_networks[0])
                record.update(
                    associatednetworkid=self.uuid("network", network.key),
                    associatednetworkname=network.name,
                )
            seen[router.public_ip] = record
        return list(seen.values())

    def vms(self) -> list[Record]:
        """``listVirtualMachines``: the guest VM namespaces."""
        return [self.vm(vm) for vm in self.topology.vms]

    def vm(self, vm: GuestVm) -> Record:
        """One ``listVirtualMachines`` entry."""
        network = self.topology.network(vm.network)
        nic = {
            "id": self.uuid("nic", f"{vm.name}/eth0"),
            "deviceid": "0",
            "networkid": self.uuid("network", network.key),
            "networkname": network.name,
            "ipaddress": vm.address,
            "netmask": _netmask(vm.prefixlen),
            "gateway": vm.gateway,
            "macaddress": vm.mac,
            "traffictype": "Guest",
            "type": "Isolated",
            "isdefault": True,
        }
        record: Record = {
            "id": self.uuid("vm", vm.name),
            "name": vm.name,
            "instancename": vm.name,
            "displayname": f"vm-{network.name}",
            "state": "Running",
            "hostid": self.host_id,
            "hostname": "kvm-host-1",
            "hypervisor": "KVM",
            "account": "admin",
            "domain": "ROOT",
            "created": CREATED,
            "nic": [nic],
            **self._zone_fields(),
        }
        if network.vpc:
            record["vpcid"] = self.uuid("vpc", network.vpc)
        return record

    def host_address(self) -> str:
        return str(ipaddress.IPv4Network(self.config["management_cidr"]).network_address + 2)

    def root_address(self) -> str:
        return str(ipaddress.IPv4Network(self.config["management_cidr"]).network_address + 1)

    def public_gateway(self) -> str:
        return str(ipaddress.IPv4Network(self.config["public_cidr"]).network_address + 1)


def _netmask(prefixlen: int) -> str:
    return str(ipaddress.IPv4Network(f"0.0.0.0/{prefixlen}").netmask)
