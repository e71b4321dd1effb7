"""The frozen ``Environment`` model every part of vrtest reads (see DESIGN.md, Environments)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SshLogin:
    """Where and how to log in over SSH (a hop host or the management server)."""

    host: str
    port: int = 22
    username: str = "root"
    password: str | None = None
    key_file: str | None = None


@dataclass(frozen=True)
class Host:
    """A hypervisor host as Marvin's config lists it."""

    address: str
    username: str = "root"
    password: str | None = None
    key_file: str | None = None
    url: str | None = None

    @property
    def marvin_url(self) -> str:
        """The ``url`` Marvin's config carries for this host."""
        return self.url or f"http://{self.address}"

    def login(self) -> SshLogin:
        """SSH login to this host on port 22."""
        return SshLogin(self.address, 22, self.username, self.password, self.key_file)


@dataclass(frozen=True)
class PrimaryStorage:
    """A cluster's primary storage pool."""

    name: str
    url: str


@dataclass(frozen=True)
class Cluster:
    """A cluster of hosts of one hypervisor."""

    name: str
    hypervisor: str
    cluster_type: str = "CloudManaged"
    url: str | None = None
    username: str | None = None
    password: str | None = None
    hosts: tuple[Host, ...] = ()
    primary_storage: tuple[PrimaryStorage, ...] = ()


@dataclass(frozen=True)
class Pod:
    """A pod: management address range and its clusters."""

    name: str
    start: str
    end: str
    netmask: str
    gateway: str
    clusters: tuple[Cluster, ...] = ()


@dataclass(frozen=True)
class IpRange:
    """A public IP range of a zone."""

    start: str
    end: str
    netmask: str
    gateway: str
    vlan: str | None = None


@dataclass(frozen=True)
class TrafficType:
    """A traffic type on a physical network, with optional per-hypervisor labels."""

    type: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PhysicalNetwork:
    """A physical network of a zone."""

    name: str
    traffic_types: tuple[TrafficType, ...]
    vlan: str | None = None
    broadcast_domain_range: str = "Zone"
    providers: tuple[str, ...] = ("VirtualRouter",)
    isolation_methods: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecondaryStorage:
    """A zone's secondary storage."""

    url: str
    provider: str = "NFS"


@dataclass(frozen=True)
class VmwareDc:
    """The VMware datacenter behind a VMware zone."""

    name: str
    vcenter: str
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Zone:
    """A CloudStack zone."""

    name: str
    dns: tuple[str, ...]
    internal_dns: tuple[str, ...]
    pods: tuple[Pod, ...]
    network_type: str = "Advanced"
    guest_cidr: str | None = None
    security_groups: bool | None = None
    local_storage: bool | None = None
    physical_networks: tuple[PhysicalNetwork, ...] = ()
    public_ip_ranges: tuple[IpRange, ...] = ()
    secondary_storage: tuple[SecondaryStorage, ...] = ()
    vmwaredc: VmwareDc | None = None


@dataclass(frozen=True)
class Management:
    """The management server: API endpoint, keys, and SSH login when needed."""

    api_url: str
    integration_port: int | None = None
    api_key: str | None = None
    secret_key: str | None = None
    ca_cert: str | None = None
    client_cert: str | None = None
    ssh: SshLogin | None = None

    @property
    def address(self) -> str:
        """Host part of the API URL (Marvin's ``mgtSvrIp``)."""
        return urlsplit(self.api_url).hostname or ""


@dataclass(frozen=True)
class Database:
    """The CloudStack database (Marvin's ``dbSvr``)."""

    host: str
    port: int = 3306
    user: str = "cloud"
    password: str | None = None
    name: str = "cloud"


@dataclass(frozen=True)
class VrAccess:
    """How VR checks reach a router's SSH (port 3922) through a hop."""

    via: str = "hypervisor-host"
    port: int = 3922
    key_on_hop: str | None = "/root/.ssh/id_rsa.cloud"
    key_file: str | None = None
    mode: str = "forward"
    host_key_policy: str = "accept-new"
    known_hosts: str = "~/.vrtest/known_hosts"
    connect_timeout: int = 10
    command_timeout: int = 60


@dataclass(frozen=True)
class Capabilities:
    """What the environment can host; the simulator has no real VRs."""

    real_vrs: bool
    network_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MarvinSettings:
    """How Marvin suites run against this environment."""

    enabled: bool = True
    runner: str = "nose"
    python: str = "python3"
    zone: str | None = None
    hypervisor: str | None = None
    tags: tuple[str, ...] = ("advanced",)
    required_hardware: bool = True
    suite_timeout: int = 3600
    parallel_safe: bool = False
    extra_args: tuple[str, ...] = ()
    cloudstack: str | None = None
    log_folder: str = "/tmp/"
    test_data: str | None = None


@dataclass(frozen=True)
class DeployStep:
    """A command run before tests; ``{pr}``, ``{commit}``, ``{branch}`` are filled in argv."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: int = 1800


@dataclass(frozen=True)
class LabSettings:
    """The embedded lab's address plan (kind: lab only)."""

    prefix: str
    management_cidr: str
    public_cidr: str
    link_local_cidr: str
    guest_cidr: str
    api_port: int
    state_dir: str
    routers: int = 1


@dataclass(frozen=True)
class FastlaneSettings:
    """Where the fast lane's VR scripts come from and how it runs (kind: fastlane only)."""

    cloudstack: str = ""
    base: str = ""
    suites: str = ""
    jobs: int = 3
    script_timeout: int = 60
    packages: str = "cache"


@dataclass(frozen=True)
class Environment:
    """One validated environment descriptor with its secrets resolved (and masked)."""

    name: str
    path: Path
    hypervisor: str
    capabilities: Capabilities
    management: Management | None = None
    zones: tuple[Zone, ...] = ()
    vr_access: VrAccess = field(default_factory=VrAccess)
    marvin: MarvinSettings = field(default_factory=MarvinSettings)
    kind: str = "cloudstack"
    description: str = ""
    database: Database | None = None
    deploy: tuple[DeployStep, ...] = ()
    global_config: Mapping[str, str] = field(default_factory=dict)
    lab: LabSettings | None = None
    fastlane: FastlaneSettings | None = None

    def hosts(self) -> Iterator[Host]:
        """Every hypervisor host in every zone, pod and cluster."""
        for zone in self.zones:
            for pod in zone.pods:
                for cluster in pod.clusters:
                    yield from cluster.hosts

    def host_login(self, address: str) -> SshLogin | None:
        """Credentials of the host at ``address`` (as Marvin's ``get_host_credentials``)."""
        for host in self.hosts():
            if address in (host.address, urlsplit(host.marvin_url).hostname):
                return host.login()
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (secrets are still values: print through the masker)."""
        return {k: v for k, v in _plain(self).items() if v not in (None, [], {})}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value
