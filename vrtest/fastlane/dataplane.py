"""Data-plane declarations of a scenario: probe endpoints and the probes between them.

An endpoint is a small network namespace with one nic (``eth0``) on a peer bridge, an
address, optionally a default route via the router and extra addresses (on ``lo``) that lie
beyond it. A probe is an ICMP echo from an endpoint to an address, expected to be answered
(``reachable``) or not (``unreachable``). See docs/fastlane.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vrtest.errors import ConfigError

EXPECTATIONS = ("reachable", "unreachable")
VIA = ("primary", "backup")
ENDPOINT_KEYS = frozenset({"bridge", "address", "gateway", "extra", "routes", "via"})


@dataclass(frozen=True)
class Endpoint:
    """A probe endpoint: one netns with ``eth0`` on a peer bridge."""

    name: str
    bridge: str  # x0..xN, the bridge of the router's ethN
    address: str  # with prefix length, e.g. 10.1.1.10/24
    gateway: str = ""  # default route via this router address ("" = none)
    extra: tuple[str, ...] = ()  # more addresses, on lo (targets beyond the router)
    routes: tuple[str, ...] = ()  # more routes, "10.1.0.0/16 via 172.16.0.10"
    via: str = ""  # redundant scenarios: first hop pinned to the PRIMARY's or BACKUP's MAC

    @property
    def ip(self) -> str:
        """The endpoint's own address without its prefix length."""
        return self.address.split("/")[0]

    @property
    def nic(self) -> int:
        """The router nic on this endpoint's bridge (``x2`` -> 2)."""
        return int(self.bridge[1:])

    def addresses(self) -> list[str]:
        """Every address the endpoint holds, as ``a.b.c.d/len``."""
        return [self.address, *self.extra]


@dataclass(frozen=True)
class Probe:
    """An ICMP echo from an endpoint to an address, and what should happen."""

    source: str  # endpoint name
    target: str  # IPv4 address
    expect: str  # reachable | unreachable
    why: str = ""

    @property
    def name(self) -> str:
        """The test name in the scenario's results."""
        return f"data-plane[{self.source} -> {self.target}]"


def parse_endpoints(path: Path, data: Any, nics: int,
                    peer: Mapping[str, Sequence[str]]) -> tuple[Endpoint, ...]:
    """The scenario's ``endpoints:`` mapping, validated against its bridges and peer addresses."""
    if not data:
        return ()
    if not isinstance(data, dict):
        raise ConfigError("is a mapping of endpoint name to {bridge, address, ...}",
                          path=str(path), key="endpoints")
    taken = {_ip(path, "peer", a).split("/")[0]: "the peer" for addrs in peer.values()
             for a in addrs}
    endpoints = []
    for name, item in data.items():
        endpoint = _endpoint(path, str(name), item, nics)
        for address in endpoint.addresses():
            owner = taken.setdefault(address.split("/")[0], f"endpoint {name}")
            if owner != f"endpoint {name}":
                raise ConfigError(f"address {address} is also held by {owner}", path=str(path),
                                  key=f"endpoints.{name}",
                                  hint="an address lives in one place: drop it from the other")
        endpoints.append(endpoint)
    return tuple(endpoints)


def _endpoint(path: Path, name: str, item: Any, nics: int) -> Endpoint:
    key = f"endpoints.{name}"
    if not isinstance(item, dict) or "bridge" not in item or "address" not in item:
        raise ConfigError("needs at least bridge and address", path=str(path), key=key)
    unknown = set(item) - ENDPOINT_KEYS
    if unknown:
        raise ConfigError(f"unknown key {', '.join(sorted(unknown))}", path=str(path), key=key,
                          hint=f"known: {', '.join(sorted(ENDPOINT_KEYS))}")
    bridge = str(item["bridge"])
    if not (bridge[:1] == "x" and bridge[1:].isdigit() and int(bridge[1:]) < nics):
        raise ConfigError(f"bridge {bridge!r} is not one of x0..x{nics - 1}", path=str(path),
                          key=key)
    via = str(item.get("via", ""))
    if via and via not in VIA:
        raise ConfigError(f"via {via!r} is not primary or backup", path=str(path), key=key)
    gateway = str(item.get("gateway", "") or "")
    return Endpoint(name=name, bridge=bridge, address=_ip(path, key, str(item["address"])),
                    gateway=_ip(path, key, gateway, host=True) if gateway else "",
                    extra=tuple(_ip(path, key, str(a)) for a in item.get("extra", []) or []),
                    routes=tuple(_route(path, key, str(r)) for r in item.get("routes", []) or []),
                    via=via)


def parse_probes(path: Path, data: Any, endpoints: Sequence[Endpoint],
                 redundant: bool) -> tuple[Probe, ...]:
    """The scenario's ``probes:`` list, each from a declared endpoint."""
    names = {e.name: e for e in endpoints}
    probes = []
    for item in data or []:
        if not isinstance(item, dict) or not {"from", "to", "expect"} <= set(item):
            raise ConfigError("each probe needs from, to and expect", path=str(path),
                              key="probes")
        source, expect = str(item["from"]), str(item["expect"])
        if source not in names:
            raise ConfigError(f"probe from unknown endpoint {source!r}", path=str(path),
                              key="probes", hint=f"endpoints: {', '.join(sorted(names))}")
        if expect not in EXPECTATIONS:
            raise ConfigError(f"expect {expect!r} is not reachable or unreachable",
                              path=str(path), key="probes")
        if names[source].via and not redundant:
            raise ConfigError(f"endpoint {source} pins 'via' but there is no redundant group",
                              path=str(path), key="probes")
        target = _ip(path, "probes", str(item["to"]), host=True)
        probes.append(Probe(source, target, expect, str(item.get("why", ""))))
    return tuple(probes)


def _ip(path: Path, key: str, text: str, *, host: bool = False) -> str:
    """``text`` checked as an IPv4 address (``host``) or interface address ``a.b.c.d/len``."""
    try:
        if host:
            return str(ipaddress.IPv4Address(text))
        return str(ipaddress.IPv4Interface(text if "/" in text else f"{text}/32"))
    except ValueError as exc:
        raise ConfigError(f"bad IPv4 address {text!r}", path=str(path), key=key) from exc


def _route(path: Path, key: str, text: str) -> str:
    """``"NET via GW"``, both parts checked."""
    parts = text.split()
    if len(parts) != 3 or parts[1] != "via":
        raise ConfigError(f"route {text!r} is not 'NETWORK via GATEWAY'", path=str(path),
                          key=key)
    try:
        network = ipaddress.IPv4Network(parts[0], strict=False)
    except ValueError as exc:
        raise ConfigError(f"bad network in route {text!r}", path=str(path), key=key) from exc
    return f"{network} via {_ip(path, key, parts[2], host=True)}"
