"""Data-plane declarations (endpoints, probes) and the ICMP echo's packet handling, no root."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from vrtest.errors import ConfigError
from vrtest.fastlane.dataplane import parse_endpoints, parse_probes
from vrtest.fastlane.echo import checksum, classify, echo_request
from vrtest.fastlane.probes import pin_first_hops
from vrtest.fastlane.scenario import load_scenario, select_scenarios

PATH = Path("scenario.yaml")
PEER = {"x0": ("169.254.0.1/16",), "x2": ("10.1.1.50/24",)}
GOOD = {"web-1": {"bridge": "x2", "address": "10.1.1.10/24", "gateway": "10.1.1.1"},
        "internet": {"bridge": "x1", "address": "172.16.0.1/24", "extra": ["203.0.113.1/32"]},
        "outsider": {"bridge": "x1", "address": "172.16.0.99/24",
                     "routes": ["10.1.0.0/16 via 172.16.0.10"]}}


def test_endpoints_and_probes_are_read_with_their_defaults() -> None:
    endpoints = parse_endpoints(PATH, GOOD, 4, PEER)
    web, internet, outsider = endpoints
    assert (web.ip, web.nic, web.gateway, web.via) == ("10.1.1.10", 2, "10.1.1.1", "")
    assert internet.addresses() == ["172.16.0.1/24", "203.0.113.1/32"] and not internet.gateway
    assert outsider.routes == ("10.1.0.0/16 via 172.16.0.10",)
    probes = parse_probes(PATH, [{"from": "web-1", "to": "203.0.113.1", "expect": "reachable",
                                  "why": "SNAT"}], endpoints, redundant=False)
    assert probes[0].name == "data-plane[web-1 -> 203.0.113.1]" and probes[0].why == "SNAT"


@pytest.mark.parametrize(("endpoints", "fragment"), [
    ({"a": {"bridge": "x9", "address": "10.0.0.1/24"}}, "bridge 'x9' is not one of x0..x3"),
    ({"a": {"bridge": "x1"}}, "needs at least bridge and address"),
    ({"a": {"bridge": "x1", "address": "10.0.0.300/24"}}, "bad IPv4 address '10.0.0.300/24'"),
    ({"a": {"bridge": "x1", "address": "10.0.0.1/24", "colour": 1}}, "unknown key colour"),
    ({"a": {"bridge": "x2", "address": "10.1.1.50/24"}}, "10.1.1.50/24 is also held by the peer"),
    ({"a": {"bridge": "x1", "address": "10.0.0.1/24", "via": "master"}}, "via 'master'"),
    ({"a": {"bridge": "x1", "address": "10.0.0.1/24", "routes": ["10.2.0.0/16 10.0.0.2"]}},
     "is not 'NETWORK via GATEWAY'"),
    ({"a": {"bridge": "x1", "address": "10.0.0.1/24"},
      "b": {"bridge": "x1", "address": "10.0.0.2/24", "extra": ["10.0.0.1/32"]}},
     "10.0.0.1/32 is also held by endpoint a"),
])
def test_bad_endpoints_are_one_line_config_errors(endpoints: dict[str, object],
                                                  fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_endpoints(PATH, endpoints, 4, PEER)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("probe", "redundant", "fragment"), [
    ({"from": "nobody", "to": "10.0.0.1", "expect": "reachable"}, False, "unknown endpoint"),
    ({"from": "web-1", "to": "10.0.0.1", "expect": "maybe"}, False, "expect 'maybe'"),
    ({"from": "web-1", "to": "10.0.0.0/24", "expect": "reachable"}, False, "bad IPv4 address"),
    ({"from": "web-1", "expect": "reachable"}, False, "needs from, to and expect"),
    ({"from": "pinned", "to": "10.0.0.1", "expect": "reachable"}, False, "no redundant group"),
])
def test_bad_probes_are_config_errors(probe: dict[str, str], redundant: bool,
                                      fragment: str) -> None:
    endpoints = parse_endpoints(PATH, {**GOOD, "pinned": {
        "bridge": "x2", "address": "10.1.1.11/24", "gateway": "10.1.1.1", "via": "backup"}},
        4, PEER)
    with pytest.raises(ConfigError, match=fragment):
        parse_probes(PATH, [probe], endpoints, redundant)


def test_shipped_scenarios_declare_probes_where_required() -> None:
    probes = {s.name: [(p.source, p.target, p.expect) for p in s.probes]
              for s in select_scenarios(None)}
    for name in ("isolated", "vpc-2tier", "redundant-vpc", "redundant-isolated"):
        assert any(e == "reachable" and t == "203.0.113.1" for _, t, e in probes[name]), name
    backup = {e.name: e.via for e in load_scenario(
        Path(select_scenarios(["redundant-vpc"])[0].path)).endpoints}
    assert backup["web-2"] == "backup"
    assert ("web-2", "203.0.113.1", "unreachable") in probes["redundant-vpc"]


def _ipv4(source: str, icmp: bytes) -> bytes:
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0,
                       socket.inet_aton(source), socket.inet_aton("10.1.1.10")) + icmp


def test_echo_request_checksums_to_zero_and_replies_are_matched_by_id() -> None:
    request = echo_request(0x1234, 1)
    assert checksum(request) == 0
    reply = b"\0" + request[1:]
    assert classify(_ipv4("203.0.113.1", reply), "203.0.113.1", 0x1234) == "reply"
    assert classify(_ipv4("203.0.113.1", reply), "203.0.113.1", 0x4321) is None
    assert classify(_ipv4("203.0.113.9", reply), "203.0.113.1", 0x1234) is None


def test_icmp_errors_about_our_echo_name_the_sender() -> None:
    original = _ipv4("10.1.1.10", echo_request(0x1234, 1))
    error = struct.pack("!BBHI", 3, 0, 0, 0) + original
    assert classify(_ipv4("10.1.1.1", error), "203.0.113.1", 0x1234) == (
        "destination unreachable (net unreachable) from 10.1.1.1")
    assert classify(_ipv4("10.1.1.1", error), "203.0.113.1", 0x9999) is None


def test_a_pinned_endpoint_without_an_elected_router_is_a_problem_not_a_guess() -> None:
    endpoints = parse_endpoints(PATH, {"web-2": {"bridge": "x2", "address": "10.1.1.11/24",
                                                 "gateway": "10.1.1.1", "via": "backup"}}, 4, PEER)
    problems = pin_first_hops(endpoints, {"web-2": "unused-netns"}, {"primary": ("r-30-VM", 0)})
    assert problems == {"web-2": "no BACKUP router to send through"}
