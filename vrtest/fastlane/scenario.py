"""Scenarios as data: a directory with ``scenario.yaml`` and the databags it applies, in order.

See docs/fastlane.md for the format. Databags are the JSON the management server sends
(``cmd_line.json``, ``ip_associations.json``, ``guest_network.json``...), kept verbatim.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vrtest.bundled import shipped_dir
from vrtest.errors import ConfigError, UsageError
from vrtest.fastlane.dataplane import Endpoint, Probe, parse_endpoints, parse_probes

CHECK_KEYS = frozenset({"processes", "state"})
SHARED_CHECKS = frozenset({"default-route", "iptables-policy", "redundant-state", "vpn",
                           "dhcp-dns", "services"})
MAX_NICS = 8


@dataclass(frozen=True)
class RouterDef:
    """One router of a scenario: its name, index (MACs) and boot databag."""

    name: str
    index: int
    boot: dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One databag applied to some routers under a file name."""

    file_name: str
    bag: dict[str, Any]
    routers: tuple[str, ...]


@dataclass(frozen=True)
class Outside:
    """A machine outside the routers (e.g. an IPsec peer): a sandbox with files and commands."""

    name: str
    index: int
    files: dict[str, str]
    setup: tuple[str, ...]  # run after the routers boot, before the databags
    after: tuple[str, ...]  # run after the databags, before the checks


@dataclass(frozen=True)
class Scenario:
    """A fast-lane scenario, loaded and validated."""

    name: str
    path: Path
    description: str
    areas: tuple[str, ...]
    routers: tuple[RouterDef, ...]
    peer: dict[str, tuple[str, ...]]
    steps: tuple[Step, ...]
    expect: dict[str, dict[str, Any]]
    redundant: tuple[str, ...] = ()
    primary: dict[str, Any] = field(default_factory=dict)  # checks for the elected PRIMARY
    skip: dict[str, str] = field(default_factory=dict)  # shared check -> why it cannot apply
    outside: tuple[Outside, ...] = ()
    settle: float = 0.0
    nics: int = 4
    endpoints: tuple[Endpoint, ...] = ()  # probe endpoints (data plane)
    probes: tuple[Probe, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)


def default_suites_dir() -> Path:
    """``$VRTEST_FASTLANE_SUITES`` or vrtest's shipped ``suites/fastlane``."""
    env = os.environ.get("VRTEST_FASTLANE_SUITES")
    return Path(env) if env else shipped_dir("suites") / "fastlane"


def list_scenarios(suites_dir: Path | None = None) -> list[Scenario]:
    """Every scenario under ``suites_dir``, sorted by name."""
    root = suites_dir or default_suites_dir()
    if not root.is_dir():
        raise ConfigError("no fast-lane scenarios here", path=str(root),
                          hint="set VRTEST_FASTLANE_SUITES to a suites/fastlane directory")
    return [load_scenario(p.parent) for p in sorted(root.glob("*/scenario.yaml"))]


def select_scenarios(names: list[str] | None, suites_dir: Path | None = None) -> list[Scenario]:
    """The named scenarios (all when ``names`` is empty); unknown names are a usage error."""
    every = list_scenarios(suites_dir)
    if not names:
        return every
    by_name = {s.name: s for s in every}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UsageError(f"unknown fast-lane scenario {', '.join(unknown)}",
                         hint=f"known: {', '.join(sorted(by_name))}")
    return [by_name[n] for n in names]


def load_scenario(directory: Path) -> Scenario:
    """Read and validate ``directory/scenario.yaml`` and its databags."""
    path = directory / "scenario.yaml"
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read scenario: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise ConfigError("a scenario is a mapping", path=str(path))
    routers = tuple(_router(directory, i, item) for i, item in enumerate(data.get("routers", [])))
    if not routers:
        raise ConfigError("needs at least one router", path=str(path), key="routers")
    names = tuple(r.name for r in routers)
    steps = tuple(_step(directory, item, names) for item in data.get("steps", []))
    expect = data.get("expect", {}) or {}
    _check_expect(path, expect, names)
    redundant = tuple(data.get("redundant", ()) or ())
    if any(n not in names for n in redundant):
        raise ConfigError("names a router the scenario lacks", path=str(path), key="redundant")
    primary = data.get("primary", {}) or {}
    if primary and not redundant:
        raise ConfigError("needs a redundant group", path=str(path), key="primary")
    _check_expect(path, {"primary": primary}, ("primary",))
    skip = {str(k): str(v) for k, v in (data.get("skip-checks") or {}).items()}
    if set(skip) - SHARED_CHECKS:
        raise ConfigError(f"unknown check {', '.join(sorted(set(skip) - SHARED_CHECKS))}",
                          path=str(path), key="skip-checks")
    outside = tuple(_outside(path, len(routers) + i, item)
                    for i, item in enumerate(data.get("outside", []) or []))
    nics = int(data.get("nics", 4))
    if not 1 <= nics <= MAX_NICS:
        raise ConfigError(f"must be 1..{MAX_NICS}", path=str(path), key="nics")
    peer = {str(k): tuple(v) for k, v in (data.get("peer") or {}).items()}
    endpoints = parse_endpoints(path, data.get("endpoints"), nics, peer)
    return Scenario(
        name=directory.name, path=directory, description=str(data.get("description", "")),
        areas=tuple(data.get("areas", ())), routers=routers,
        peer=peer, steps=steps, expect=expect, redundant=redundant, primary=primary, skip=skip,
        outside=outside,
        settle=float(data.get("settle", 15 if redundant else 0)), nics=nics,
        endpoints=endpoints,
        probes=parse_probes(path, data.get("probes"), endpoints, bool(redundant)))


def _outside(path: Path, index: int, item: dict[str, Any]) -> Outside:
    if not isinstance(item, dict) or "name" not in item:
        raise ConfigError("each outside machine needs a name", path=str(path), key="outside")
    files = {str(k): str(v) for k, v in (item.get("files") or {}).items()}
    if any(not name.startswith("/") for name in files):
        raise ConfigError("outside files need absolute paths", path=str(path), key="outside")
    return Outside(str(item["name"]), index, files, tuple(item.get("setup", ()) or ()),
                   tuple(item.get("after", ()) or ()))


def _router(directory: Path, index: int, item: dict[str, Any]) -> RouterDef:
    return RouterDef(str(item["name"]), index, _bag(directory, str(item["boot"])))


def _step(directory: Path, item: dict[str, Any] | str, names: tuple[str, ...]) -> Step:
    if isinstance(item, str):
        item = {"bag": item}
    bag_file = str(item["bag"])
    routers = tuple(item.get("routers", names))
    if any(n not in names for n in routers):
        raise ConfigError(f"step {bag_file} names an unknown router", path=str(directory))
    return Step(str(item.get("as", bag_file)), _bag(directory, bag_file), routers)


def _bag(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    if path.parent != directory:
        raise ConfigError(f"databag {name!r} must be a file in the scenario directory",
                          path=str(directory))
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"bad databag: {exc}", path=str(path)) from exc
    if not isinstance(data, dict) or "type" not in data:
        raise ConfigError("a databag is a JSON object with a 'type'", path=str(path))
    return data


def _check_expect(path: Path, expect: dict[str, Any], names: tuple[str, ...]) -> None:
    for router, checks in expect.items():
        if router not in names:
            raise ConfigError(f"expectations for unknown router {router}", path=str(path),
                              key="expect")
        unknown = set(checks) - CHECK_KEYS
        if unknown:
            known = ", ".join(sorted(CHECK_KEYS))
            raise ConfigError(f"unknown check {', '.join(sorted(unknown))}", path=str(path),
                              key=f"expect.{router}", hint=f"known: {known}")
