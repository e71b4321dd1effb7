"""Turn validated descriptor data into the frozen ``Environment`` model, filling defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vrtest.environment.model import (
    Capabilities,
    Cluster,
    Database,
    DeployStep,
    Environment,
    FastlaneSettings,
    Host,
    IpRange,
    LabSettings,
    Management,
    MarvinSettings,
    PhysicalNetwork,
    Pod,
    PrimaryStorage,
    SecondaryStorage,
    SshLogin,
    TrafficType,
    VmwareDc,
    VrAccess,
    Zone,
)

# Marvin's spelling of each hypervisor (cluster "hypervisor", --hypervisor).
MARVIN_HYPERVISOR_NAMES = {
    "kvm": "KVM",
    "xenserver": "XenServer",
    "vmware": "VMware",
    "simulator": "Simulator",
}
VMWARE_ROUTER_KEY = "/var/cloudstack/management/.ssh/id_rsa"
HOST_ROUTER_KEY = "/root/.ssh/id_rsa.cloud"


def build_environment(data: dict[str, Any], path: Path) -> Environment:
    """The ``Environment`` for schema- and semantics-valid ``data`` read from ``path``."""
    hypervisor = data["hypervisor"]
    capabilities = Capabilities(
        real_vrs=data["capabilities"]["real_vrs"],
        network_kinds=frozenset(data["capabilities"].get("network_kinds", [])),
    )
    zones = tuple(_zone(zone) for zone in data.get("zones", []))
    management = data.get("management")
    return Environment(
        name=data["name"],
        path=path,
        hypervisor=hypervisor,
        capabilities=capabilities,
        management=_management(management) if management else None,
        zones=zones,
        vr_access=_vr_access(data.get("vr_access", {}), hypervisor),
        marvin=_marvin(data.get("marvin", {}), hypervisor, zones, capabilities,
                       kind=data.get("kind", "cloudstack")),
        kind=data.get("kind", "cloudstack"),
        description=data.get("description", ""),
        database=Database(**data["database"]) if "database" in data else None,
        deploy=tuple(_deploy(step) for step in data.get("deploy", [])),
        global_config=dict(data.get("global_config", {})),
        lab=LabSettings(**data["lab"]) if "lab" in data else None,
        fastlane=FastlaneSettings(**data["fastlane"]) if "fastlane" in data else None,
    )


def _management(data: dict[str, Any]) -> Management:
    ssh = data.get("ssh")
    fields = {key: value for key, value in data.items() if key != "ssh"}
    return Management(**fields, ssh=SshLogin(**ssh) if ssh else None)


def _zone(data: dict[str, Any]) -> Zone:
    simple = {
        key: data[key]
        for key in ("name", "network_type", "guest_cidr", "security_groups", "local_storage")
        if key in data
    }
    vmwaredc = data.get("vmwaredc")
    return Zone(
        **simple,
        dns=tuple(data["dns"]),
        internal_dns=tuple(data["internal_dns"]),
        pods=tuple(_pod(pod) for pod in data["pods"]),
        physical_networks=tuple(_physical_network(n) for n in data.get("physical_networks", [])),
        public_ip_ranges=tuple(IpRange(**r) for r in data.get("public_ip_ranges", [])),
        secondary_storage=tuple(SecondaryStorage(**s) for s in data.get("secondary_storage", [])),
        vmwaredc=VmwareDc(**vmwaredc) if vmwaredc else None,
    )


def _pod(data: dict[str, Any]) -> Pod:
    fields = {key: value for key, value in data.items() if key != "clusters"}
    return Pod(**fields, clusters=tuple(_cluster(c) for c in data["clusters"]))


def _cluster(data: dict[str, Any]) -> Cluster:
    fields = {k: v for k, v in data.items() if k not in ("hosts", "primary_storage")}
    return Cluster(
        **fields,
        hosts=tuple(Host(**host) for host in data.get("hosts", [])),
        primary_storage=tuple(PrimaryStorage(**p) for p in data.get("primary_storage", [])),
    )


def _physical_network(data: dict[str, Any]) -> PhysicalNetwork:
    traffic = tuple(
        TrafficType(t) if isinstance(t, str) else TrafficType(t["type"], dict(t.get("labels", {})))
        for t in data["traffic_types"]
    )
    fields: dict[str, Any] = {
        key: tuple(data[key]) for key in ("providers", "isolation_methods", "tags") if key in data
    }
    fields.update({k: data[k] for k in ("name", "vlan", "broadcast_domain_range") if k in data})
    return PhysicalNetwork(**fields, traffic_types=traffic)


def _vr_access(data: dict[str, Any], hypervisor: str) -> VrAccess:
    """Defaults follow the hypervisor: VMware hops through the management server."""
    if hypervisor == "vmware":
        defaults: dict[str, Any] = {"via": "management-server", "key_on_hop": VMWARE_ROUTER_KEY}
    else:
        defaults = {"via": "hypervisor-host", "key_on_hop": HOST_ROUTER_KEY}
    return VrAccess(**{**defaults, **data})


def _marvin(
    data: dict[str, Any], hypervisor: str, zones: tuple[Zone, ...], caps: Capabilities,
    kind: str = "cloudstack",
) -> MarvinSettings:
    defaults: dict[str, Any] = {
        "enabled": kind != "lab",  # the lab's API is not a management server: opt in
        "zone": zones[0].name if zones else None,
        "hypervisor": MARVIN_HYPERVISOR_NAMES.get(hypervisor, hypervisor),
        "required_hardware": caps.real_vrs,
    }
    merged = {**defaults, **data}
    for key in ("tags", "extra_args"):
        if key in merged:
            merged[key] = tuple(merged[key])
    return MarvinSettings(**merged)


def _deploy(data: dict[str, Any]) -> DeployStep:
    return DeployStep(
        name=data["name"],
        argv=tuple(data["argv"]),
        env=dict(data.get("env", {})),
        timeout=data.get("timeout", 1800),
    )
