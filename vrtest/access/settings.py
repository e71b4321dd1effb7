"""How routers are reached, taken from the environment descriptor's ``vr_access`` block."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vrtest.errors import ConfigError

if TYPE_CHECKING:
    from vrtest.environment import Environment, SshLogin

VIAS = ("hypervisor-host", "management-server", "direct")
MODES = ("forward", "ssh-command")
HOST_KEY_POLICIES = ("strict", "accept-new", "ignore")


@dataclass(frozen=True)
class HopLogin:
    """Credentials for a hop: the hypervisor host or the management server."""

    address: str
    username: str = "root"
    password: str = ""
    key_file: str = ""
    port: int = 22


@dataclass(frozen=True)
class AccessSettings:
    """The ``vr_access`` settings (defaults are Marvin's KVM path)."""

    via: str = "hypervisor-host"
    port: int = 3922
    key_on_hop: str = "/root/.ssh/id_rsa.cloud"
    key_file: str = ""  # a local VR key; when set, nothing is read from the hop
    mode: str = "forward"
    host_key_policy: str = "accept-new"
    known_hosts: str = "~/.vrtest/known_hosts"
    connect_timeout: float = 10.0
    command_timeout: float = 60.0
    max_workers: int = 8

    def __post_init__(self) -> None:
        for key, value, allowed in (("via", self.via, VIAS), ("mode", self.mode, MODES),
                                    ("host_key_policy", self.host_key_policy, HOST_KEY_POLICIES)):
            if value not in allowed:
                raise ConfigError(f"{value!r} is not one of {', '.join(allowed)}",
                                  key=f"vr_access.{key}")

    @property
    def known_hosts_path(self) -> str:
        """``known_hosts`` with ``~`` expanded."""
        return os.path.expanduser(self.known_hosts) if self.known_hosts else ""

    @classmethod
    def from_environment(cls, env: Environment) -> AccessSettings:
        """Read ``env.vr_access`` (unset keys keep the defaults)."""
        access, defaults = env.vr_access, cls()
        return cls(
            via=access.via,
            port=access.port,
            key_on_hop=access.key_on_hop or defaults.key_on_hop,
            key_file=access.key_file or "",
            mode=access.mode,
            host_key_policy=access.host_key_policy,
            known_hosts=access.known_hosts or defaults.known_hosts,
            connect_timeout=float(access.connect_timeout),
            command_timeout=float(access.command_timeout),
        )


def hop_login_for(env: Environment, settings: AccessSettings,
                  host_address: str) -> HopLogin | None:
    """The hop for a router on ``host_address``: its host, the management server, or none."""
    if settings.via == "direct":
        return None
    login: SshLogin | None
    if settings.via == "management-server":
        login = env.management.ssh if env.management else None
        address = login.host if login else ""
    else:
        login = env.host_login(host_address)
        address = host_address
    if login is None:
        raise ConfigError(f"no SSH credentials for hop {host_address or 'management server'}",
                          hint="add the host (address, username, password or key_file) "
                               "to the environment descriptor")
    return HopLogin(
        address=address or host_address,
        username=login.username or "root",
        password=login.password or "",
        key_file=os.path.expanduser(login.key_file or ""),
        port=login.port or 22,
    )
