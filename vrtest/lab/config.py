"""The lab's configuration: ``lab:`` keys, API keys and host login of a descriptor."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vrtest.errors import ConfigError
from vrtest.masking import register_secret

_PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{0,7}$")
_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


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
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "") -> LabConfig:
        """Build from a resolved descriptor mapping (its ``lab``, ``management`` and host keys)."""
        lab = _section(data, "lab", source)
        management = _section(data, "management", source)
        login = _first_host(data)
        config = cls(
            prefix=_prefix(lab.get("prefix", "vrt"), source),
            management_cidr=_network(lab, "management_cidr", "10.254.0.0/24", source),
            public_cidr=_network(lab, "public_cidr", "10.254.2.0/24", source),
            link_local_cidr=_network(lab, "link_local_cidr", "169.254.0.0/16", source),
            guest_cidr=_network(lab, "guest_cidr", "10.1.0.0/16", source),
            api_port=_port(lab.get("api_port", 18096), source),
            state_dir=Path(str(lab.get("state_dir", "/run/vrtest/lab"))),
            api_key=str(management.get("api_key") or ""),
            secret_key=str(management.get("secret_key") or ""),
            host_username=str(login.get("username") or "root"),
            host_password=str(login.get("password") or ""),
            zone_name=_zone_name(data),
            source=source,
        )
        _check_sizes(config)
        for secret in (config.secret_key, config.host_password):
            register_secret(secret)
        return config


def load_lab_config(ref: str, *, envs_dir: Path | None = None) -> LabConfig:
    """Load the lab settings of environment ``ref`` (a name or a descriptor path)."""
    path = _find_descriptor(ref, envs_dir)
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=str(path)) from None
    if not isinstance(raw, dict):
        raise ConfigError("a descriptor must be a mapping", path=str(path))
    return LabConfig.from_mapping(_expand(raw), source=str(path))


def _find_descriptor(ref: str, envs_dir: Path | None) -> Path:
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    dirs = [envs_dir] if envs_dir else []
    dirs += [Path(p) for p in os.environ.get("VRTEST_ENV_PATH", "").split(os.pathsep) if p]
    dirs.append(Path("environments"))
    for directory in dirs:
        for suffix in (".yaml", ".yml"):
            path = directory / f"{ref}{suffix}"
            if path.is_file():
                return path
    raise ConfigError(
        f"environment {ref!r} not found",
        hint="pass --env NAME or a path to a descriptor, or set VRTEST_ENV_PATH",
    )


def _expand(value: Any) -> Any:
    """Resolve ``${VAR}`` and ``${VAR:-default}`` in every string."""
    if isinstance(value, dict):
        return {key: _expand(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item) for item in value]
    if isinstance(value, str):
        return _VAR_RE.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), value)
    return value


def _section(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    section = data.get(key) or {}
    if not isinstance(section, Mapping):
        raise ConfigError("must be a mapping", path=source or None, key=key)
    return section


def _first_host(data: Mapping[str, Any]) -> Mapping[str, Any]:
    for zone in data.get("zones") or []:
        for pod in zone.get("pods") or []:
            for cluster in pod.get("clusters") or []:
                for host in cluster.get("hosts") or []:
                    return dict(host)
    return {}


def _zone_name(data: Mapping[str, Any]) -> str:
    zones = data.get("zones") or []
    return str(zones[0].get("name", "local-zone")) if zones else "local-zone"


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


def _network(lab: Mapping[str, Any], key: str, default: str, source: str) -> ipaddress.IPv4Network:
    text = str(lab.get(key, default))
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
