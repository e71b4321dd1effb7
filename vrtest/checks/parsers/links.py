"""Parse interface state: ``ip -j addr show`` or the brief text ``ip -br -4 addr``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Interface:
    """A network interface: name (no ``@ifN`` suffix), whether it is up, its IPv4 addresses."""

    name: str
    state: str
    up: bool
    addresses: tuple[str, ...] = ()


def parse_interfaces(output: str) -> dict[str, Interface]:
    """Parse either format, choosing JSON when the output is a JSON array."""
    if output.lstrip().startswith("["):
        return parse_interfaces_json(output)
    return parse_interfaces_brief(output)


def parse_interfaces_json(output: str) -> dict[str, Interface]:
    """Parse ``ip -j addr show``: up means administratively UP and not operationally down."""
    data: list[dict[str, Any]] = json.loads(output)
    interfaces = {}
    for item in data:
        state = str(item.get("operstate", "UNKNOWN"))
        flags = set(item.get("flags", ()))
        addresses = tuple(
            f"{info['local']}/{info['prefixlen']}"
            for info in item.get("addr_info", ())
            if info.get("family") == "inet"
        )
        name = str(item["ifname"])
        up = "UP" in flags and state not in ("DOWN", "LOWERLAYERDOWN", "NOTPRESENT")
        interfaces[name] = Interface(name, state, up, addresses)
    return interfaces


def parse_interfaces_brief(output: str) -> dict[str, Interface]:
    """Parse ``ip -br -4 addr``: ``NAME[@ifN]  STATE  ADDR...``."""
    interfaces = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) < 2:
            continue
        name = words[0].split("@", 1)[0]
        state = words[1]
        interfaces[name] = Interface(name, state, state in ("UP", "UNKNOWN"), tuple(words[2:]))
    return interfaces


def interface_with_address(interfaces: dict[str, Interface], ip: str) -> Interface | None:
    """The interface holding ``ip`` (any prefix length), if any."""
    for interface in interfaces.values():
        if any(address.split("/", 1)[0] == ip for address in interface.addresses):
            return interface
    return None
