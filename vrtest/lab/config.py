"""The lab's configuration: ``lab:`` keys, API keys and host login of a descriptor."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vrtest.environment import Environment, load_environment
from vrtest.errors import ConfigError

_PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{0,7}$")


@dataclass(frozen=True)
class LabConfig:
    """Everything ``vrtest lab`` needs to know about one lab."""

    prefix: str
    management_cidr: ipaddress.IPv4Network
    public_cidr: ipaddress.IPv4Network
    link_local_cidr: ipaddress.IPv4Network
    guest_cidr: ipaddress.IPv4Network
    api_port: int
    state_dir: Path
    api_key: str
    secret_key: str
    host_username: str = "root"
    host_password: str = ""
    zone_name: str = "local-zone"
    source: str = ""

    @property
    def lab_dir(self) -> Path:
        """Directory holding this lab's state file, logs and views."""
        return self.state_dir / self.prefix

    @property
    def host_address(self) -> str:
        """The hypervisor host's management address (``.2``)."""
        return str(self.management_cidr.network_address + 2)

    @property
    def root_address(self) -> str:
        """The root namespace's end of the management link (``.1``)."""
        return str(self.management_cidr.network_address + 1)

    @property
    def public_gateway(self) -> str:
        """The public upstream gateway (``.1`` of the public range)."""
        return str(self.public_cidr.network_address + 1)

    def to_dict(self) -> dict[str, Any]:
        """The non-secret settings, as saved in the state file."""
        return {
            "prefix": self.prefix,
            "management_cidr": str(self.management_cidr),
            "public_cidr": str(self.public_cidr),
            "link_local_cidr": str(self.link_local_cidr),
            "guest_cidr": str(self.guest_cidr),
            "api_port": self.api_port,
            "state_dir": str(self.state_dir),
            "api_key": self.api_key,
            "host_username": self.host_username,
            "zone_name": self.zone_name,
            "source": self.source,
        }

    @classmethod
    def from_environment(cls, env: Environment) -> LabConfig:
        """The lab settings of a loaded environment (its ``lab:``, management and host keys)."""
        source = str(env.path)
        if env.lab is None or env.management is None:
            raise ConfigError(
                f"environment {env.name!r} is not an embedded lab (no lab: section)",
                path=source,
                hint="use --env local or a copy of local.yaml",
            )
        lab = env.lab
        host = next(iter(env.hosts()), None)
        config = cls(
            prefix=_prefix(lab.prefix, source),
            management_cidr=_network(lab.management_cidr, "management_cidr", source),
            public_cidr=_network(lab.public_cidr, "public_cidr", source),
            link_local_cidr=_network(lab.link_local_cidr, "link_local_cidr", source),
            guest_cidr=_network(lab.guest_cidr, "guest_cidr", source),
            api_port=_port(lab.api_port, source),
            state_dir=Path(lab.state_dir),
            api_key=env.management.api_key or "",
            secret_key=env.management.secret_key or "",
            host_username=host.username if host else "root",
            host_password=(host.password or "") if host else "",
            zone_name=env.zones[0].name if env.zones else "local-zone",
            source=source,
        )
        _check_consistent(config, env)
        return config


def load_lab_config(ref: str, *, envs_dir: Path | None = None) -> LabConfig:
    """Load the lab settings of environment ``ref`` (a name or a descriptor path)."""
    return LabConfig.from_environment(load_environment(ref, envs_dir=envs_dir))


def _prefix(value: Any, source: str) -> str:
    text = str(value)
    if not _PREFIX_RE.match(text):
        raise ConfigError(
            f"{text!r} is not a usable prefix",
            path=source or None,
            key="lab.prefix",
            hint="use 1-8 lower-case letters and digits, starting with a letter",
        )
    return text


def _network(text: str, key: str, source: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(text)
    except ValueError as exc:
        raise ConfigError(
            f"{exc}",
            path=source or None,
            key=f"lab.{key}",
            hint="use an IPv4 network such as 10.254.0.0/24",
        ) from None


def _port(value: Any, source: str) -> int:
    if isinstance(value, int) and 1024 <= value <= 65535:
        return value
    raise ConfigError(
        f"{value!r} is not a port number",
        path=source or None,
        key="lab.api_port",
        hint="use an unprivileged port, 1024-65535",
    )


def _check_consistent(config: LabConfig, env: Environment) -> None:
    """The descriptor's API URL and host address must be the lab's own."""
    assert env.management is not None
    api_port = urlsplit(env.management.api_url).port
    if api_port != config.api_port:
        raise ConfigError(
            f"management.api_url uses port {api_port}, lab.api_port is {config.api_port}",
            path=config.source,
            key="management.api_url",
            hint="make them the same port",
        )
    addresses = [host.address for host in env.hosts()]
    if addresses and addresses[0] != config.host_address:
        raise ConfigError(
            f"the first host is {addresses[0]}, but the lab's hypervisor host is "
            f"{config.host_address} (.2 of lab.management_cidr)",
            path=config.source,
            key="zones.pods.clusters.hosts.address",
            hint="make them the same address",
        )
    if config.host_username != "root":
        raise ConfigError(
            "the lab's host login must be root",
            path=config.source,
            key="zones.pods.clusters.hosts.username",
        )
    _check_sizes(config)


def _check_sizes(config: LabConfig) -> None:
    checks = (
        ("management_cidr", config.management_cidr, 29),
        ("public_cidr", config.public_cidr, 26),
        ("guest_cidr", config.guest_cidr, 20),
    )
    for key, network, longest in checks:
        if network.prefixlen > longest:
            raise ConfigError(
                f"{network} is too small for the lab",
                path=config.source or None,
                key=f"lab.{key}",
                hint=f"use a /{longest} or larger",
            )
    if config.link_local_cidr != ipaddress.IPv4Network("169.254.0.0/16"):
        raise ConfigError(
            "the control network must be 169.254.0.0/16, as on KVM",
            path=config.source or None,
            key="lab.link_local_cidr",
        )
