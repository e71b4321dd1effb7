"""Parsers against recorded VR output: golden/cases.yaml has file, command, expected parse."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from vrtest.checks.parsers.checkrouter import parse_checkrouter
from vrtest.checks.parsers.files import parse_dhcphosts, parse_processes, running
from vrtest.checks.parsers.ipsec import parse_ipsec_status
from vrtest.checks.parsers.iptables import parse_iptables_save
from vrtest.checks.parsers.links import parse_interfaces
from vrtest.checks.parsers.routes import Route, default_routes, parse_routes

GOLDEN = Path(__file__).parent / "golden"
CASES = yaml.safe_load((GOLDEN / "cases.yaml").read_text())


def _route_line(route: Route) -> str:
    fields = dataclasses.asdict(route)
    return " ".join(f"{k}={v}" for k, v in fields.items()
                    if v and not (k == "table" and v == "main")
                    and not (k == "type" and v == "unicast"))


def _routes(text: str) -> list[str]:
    return [_route_line(r) for r in parse_routes(text)
            if r.table != "local" and r.type not in ("local", "broadcast") and ":" not in r.dst]


def _interfaces(text: str) -> dict[str, str]:
    return {name: f"{'up' if i.up else 'down'} {i.state} {' '.join(i.addresses)}".strip()
            for name, i in parse_interfaces(text).items()}


def _iptables(text: str) -> dict[str, Any]:
    return {t.name: {"policies": t.policies, "rules": len(t.rules)}
            for t in parse_iptables_save(text).values()}


PARSERS: dict[str, Callable[[str], Any]] = {
    "routes": _routes,
    "interfaces": _interfaces,
    "iptables": _iptables,
    "checkrouter": parse_checkrouter,
    "ipsec": lambda text: {n: dataclasses.asdict(c) for n, c in parse_ipsec_status(text).items()},
    "dhcphosts": lambda text: [dataclasses.asdict(h) for h in parse_dhcphosts(text)],
    "processes": lambda text: [f"{p.pid} {p.program}" for p in parse_processes(text)],
}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_golden_parse(case: dict[str, Any]) -> None:
    text = (GOLDEN / case["file"]).read_text()
    assert PARSERS[case["parser"]](text) == case["expected"]


def test_json_and_text_route_parsers_agree() -> None:
    for json_file in sorted((GOLDEN / "ip-json").glob("*.route.json")):
        text_file = json_file.with_suffix(".txt")
        assert _routes(json_file.read_text()) == _routes(text_file.read_text()), json_file.name


def test_recorded_text_matches_the_json_goldens_for_the_same_router() -> None:
    for name in ("vpc-router", "isolated-router", "redundant-vpc-primary",
                 "redundant-vpc-backup"):
        recorded = (GOLDEN / "vr-outputs" / name / "ip_route_all.txt").read_text()
        produced = (GOLDEN / "ip-json" / f"{name}.route.json").read_text()
        assert _routes(recorded) == _routes(produced), name


def test_default_routes_of_the_vpc_router() -> None:
    routes = parse_routes((GOLDEN / "vr-outputs/vpc-router/ip_route_all.txt").read_text())
    assert [(r.gateway, r.dev) for r in default_routes(routes)] == [("172.16.0.1", "eth1")]
    assert [(r.gateway, r.dev) for r in default_routes(routes, "Table_eth1")] == [
        ("172.16.0.1", "eth1")]
    assert default_routes(routes, "Table_eth2") == []


def test_text_route_flags_and_types() -> None:
    routes = parse_routes("unreachable 10.9.0.0/16 metric 5\n"
                          "default via 10.0.0.1 dev eth1 onlink linkdown\n")
    assert routes == [Route("10.9.0.0/16", type="unreachable"),
                      Route("default", gateway="10.0.0.1", dev="eth1")]


def test_checkrouter_without_status_is_unknown() -> None:
    assert parse_checkrouter("sh: 1: /opt/cloud/bin/checkrouter.sh: not found") == "UNKNOWN"
    assert parse_checkrouter("Status: master\n") == "PRIMARY"


def test_iptables_comments_and_counters_ignored() -> None:
    text = "# Generated\n*filter\n:INPUT ACCEPT [10:200]\n[1:2] -A INPUT -j DROP\nCOMMIT\n"
    table = parse_iptables_save(text)["filter"]
    assert table.policies == {"INPUT": "ACCEPT"}


def test_running_matches_interpreted_scripts_and_sshd_children() -> None:
    processes = parse_processes((GOLDEN / "files/processes.txt").read_text())
    assert [p.pid for p in running(processes, "passwd_server_ip.py")] == [802]
    assert [p.pid for p in running(processes, "sshd")] == [612, 915]
    assert running(processes, "xl2tpd") == []
