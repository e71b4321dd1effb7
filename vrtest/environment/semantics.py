"""Checks the schema cannot express: address ranges, cross-references, access prerequisites."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from vrtest.environment.secrets import is_reference
from vrtest.environment.yamlnodes import LocatedData, format_path
from vrtest.environment.yamlnodes import Path as KeyPath
from vrtest.errors import ConfigError

Problem = tuple[KeyPath, str]


def semantic_errors(data: dict[str, Any], located: LocatedData, source: str) -> list[ConfigError]:
    """Every semantic problem in schema-valid data, as one-line errors."""
    problems: list[Problem] = [
        *_range_problems(data),
        *_access_problems(data),
        *_reference_problems(data),
        *_kind_problems(data),
        *_deploy_problems(data),
    ]
    return [
        ConfigError(message, path=source, line=located.line_of(path), key=format_path(path))
        for path, message in problems
    ]


def _address(value: Any) -> ipaddress.IPv4Address | None:
    if not isinstance(value, str) or is_reference(value):
        return None
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        return None


def _check_range(block: dict[str, Any], path: KeyPath) -> Iterator[Problem]:
    """start <= end, and start, end inside the gateway's network (by netmask)."""
    start, end = _address(block.get("start")), _address(block.get("end"))
    gateway, netmask = _address(block.get("gateway")), block.get("netmask")
    if start and end and start > end:
        yield (*path, "start"), f"range start {start} is after its end {end}"
    if gateway is None or _address(netmask) is None:
        return
    try:
        network = ipaddress.IPv4Network(f"{gateway}/{netmask}", strict=False)
    except ValueError:
        yield (*path, "netmask"), f"{netmask!r} is not a valid netmask"
        return
    for key, address in (("start", start), ("end", end)):
        if address is not None and address not in network:
            yield (*path, key), f"{address} is outside {network} (gateway {gateway}/{netmask})"


def _range_problems(data: dict[str, Any]) -> Iterator[Problem]:
    for z, zone in enumerate(data.get("zones", [])):
        for r, block in enumerate(zone.get("public_ip_ranges", [])):
            yield from _check_range(block, ("zones", z, "public_ip_ranges", r))
        for p, pod in enumerate(zone.get("pods", [])):
            yield from _check_range(pod, ("zones", z, "pods", p))


def _hosts(data: dict[str, Any]) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    for z, zone in enumerate(data.get("zones", [])):
        for p, pod in enumerate(zone.get("pods", [])):
            for c, cluster in enumerate(pod.get("clusters", [])):
                for h, host in enumerate(cluster.get("hosts", [])):
                    yield ("zones", z, "pods", p, "clusters", c, "hosts", h), host


def _access_problems(data: dict[str, Any]) -> Iterator[Problem]:
    access = data.get("vr_access", {})
    via = access.get("via")
    real = data.get("capabilities", {}).get("real_vrs", False)
    if via == "management-server" and not data.get("management", {}).get("ssh"):
        yield ("vr_access", "via"), "via: management-server needs management.ssh (host, login)"
    if via == "direct" and not access.get("key_file"):
        yield ("vr_access", "via"), "via: direct needs vr_access.key_file (the router key here)"
    if real and via in (None, "hypervisor-host") and data.get("hypervisor") != "vmware":
        for path, host in _hosts(data):
            if not host.get("password") and not host.get("key_file"):
                yield path, "a host VR checks hop through needs a password or key_file"
    if real and data.get("hypervisor") == "simulator":
        yield ("capabilities", "real_vrs"), "the simulator runs no VR code: real_vrs must be false"


def _reference_problems(data: dict[str, Any]) -> Iterator[Problem]:
    zones = [zone.get("name") for zone in data.get("zones", [])]
    marvin = data.get("marvin", {})
    if marvin.get("zone") and zones and marvin["zone"] not in zones:
        yield ("marvin", "zone"), f"no zone named {marvin['zone']!r} (zones: {', '.join(zones)})"
    for z, zone in enumerate(data.get("zones", [])):
        if "vmwaredc" in zone and data.get("hypervisor") != "vmware":
            yield ("zones", z, "vmwaredc"), "vmwaredc belongs to VMware zones only"


def _kind_problems(data: dict[str, Any]) -> Iterator[Problem]:
    if "lab" in data and data.get("kind", "cloudstack") != "lab":
        yield ("lab",), "a lab: block needs kind: lab"
    if "fastlane" in data and data.get("kind", "cloudstack") != "fastlane":
        yield ("fastlane",), "a fastlane: block needs kind: fastlane"


DEPLOY_PLACEHOLDERS = frozenset({"pr", "commit", "branch"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _deploy_problems(data: dict[str, Any]) -> Iterator[Problem]:
    """A ``{word}`` in deploy argv must be {pr}, {commit} or {branch} (catches typos)."""
    for s, step in enumerate(data.get("deploy", [])):
        for a, arg in enumerate(step.get("argv", [])):
            unknown = sorted(set(_PLACEHOLDER.findall(arg)) - DEPLOY_PLACEHOLDERS)
            if unknown:
                yield ("deploy", s, "argv", a), (
                    f"unknown placeholder {{{unknown[0]}}}; use {{pr}}, {{commit}} or {{branch}}"
                )
