"""Parse ``ip route show table all``: iproute2's JSON (``ip -j``) or the text older VRs print."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Route types that iproute2 prints as the first word of a text line.
_ROUTE_TYPES = {"throw", "unreachable", "blackhole", "prohibit", "local", "broadcast",
                "anycast", "multicast", "nat", "unicast"}
_KEYED = {"via": "gateway", "dev": "dev", "table": "table", "proto": "protocol",
          "scope": "scope", "src": "prefsrc", "metric": "metric", "pref": "pref"}


@dataclass(frozen=True)
class Route:
    """One route: ``dst`` is ``default`` or a prefix; ``table`` is ``main`` when none is printed."""

    dst: str
    table: str = "main"
    type: str = "unicast"
    gateway: str = ""
    dev: str = ""
    protocol: str = ""

    @property
    def is_default(self) -> bool:
        """True for the default route (``default`` or ``0.0.0.0/0``)."""
        return self.dst in ("default", "0.0.0.0/0")


def parse_routes(output: str) -> list[Route]:
    """Parse either format, choosing JSON when the output is a JSON array."""
    if output.lstrip().startswith("["):
        return parse_routes_json(output)
    return parse_routes_text(output)


def parse_routes_json(output: str) -> list[Route]:
    """Parse ``ip -j route show table all``."""
    data: list[dict[str, Any]] = json.loads(output)
    return [
        Route(
            dst=str(item.get("dst", "")),
            table=str(item.get("table", "main")),
            type=str(item.get("type", "unicast")),
            gateway=str(item.get("gateway", "")),
            dev=str(item.get("dev", "")),
            protocol=str(item.get("protocol", "")),
        )
        for item in data
    ]


def parse_routes_text(output: str) -> list[Route]:
    """Parse ``ip route show table all`` text, one route per line."""
    return [_parse_text_line(line) for line in output.splitlines() if line.strip()]


def _parse_text_line(line: str) -> Route:
    words = line.split()
    route_type = "unicast"
    if words[0] in _ROUTE_TYPES:
        route_type, words = words[0], words[1:]
    fields: dict[str, str] = {"dst": words[0] if words else ""}
    index = 1
    while index < len(words):
        key = _KEYED.get(words[index])
        if key and index + 1 < len(words):
            fields[key] = words[index + 1]
            index += 2
        else:
            index += 1  # flags such as ``linkdown`` or ``onlink``
    return Route(
        dst=fields["dst"],
        table=fields.get("table", "main"),
        type=route_type,
        gateway=fields.get("gateway", ""),
        dev=fields.get("dev", ""),
        protocol=fields.get("protocol", ""),
    )


def default_routes(routes: list[Route], table: str = "main") -> list[Route]:
    """The unicast default routes of one table."""
    return [r for r in routes if r.is_default and r.table == table and r.type == "unicast"]
