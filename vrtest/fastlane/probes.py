"""Probe endpoints in a sandbox group and the data-plane probes between them.

Each endpoint is a network namespace ``<prefix>-e<i>`` (recorded in the group's ledger before
it is made) whose ``eth0`` is a veth into a bridge of the peer namespace. Probes are ICMP
echoes (``vrtest.fastlane.echo``, a raw socket opened inside the endpoint's namespace; the
evidence shows the equivalent ``ip netns exec`` command) run in parallel; each becomes a
``data-plane[FROM -> TO]`` test whose evidence is the probe's command and output, plus, when
it fails, how each router would route the packet and its iptables counters.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from vrtest.fastlane.dataplane import Endpoint, Probe
from vrtest.fastlane.echo import echo_in_netns
from vrtest.fastlane.sandbox import Router, SandboxError, SandboxGroup, nic_mac
from vrtest.lab import netns as lab_netns
from vrtest.results import Evidence, Outcome, TestResult

REACHABLE_WAIT = 1.0  # seconds a probe expected to be answered waits for its reply
# A probe expected to go unanswered waits this long: on veths a reply comes in well under
# a millisecond, so a short wait keeps passing probes cheap (docs/fastlane.md).
UNREACHABLE_WAIT = 0.1
ROUTER_EVIDENCE = ("ip route get {target} from {source} iif eth{nic}", "ip rule",
                   "iptables -t nat -vnL POSTROUTING", "iptables -vnL FORWARD")


def endpoint_netns(group: SandboxGroup, index: int) -> str:
    """The namespace name of the group's ``index``-th endpoint."""
    return f"{group.prefix}-e{index}"


def make_endpoints(group: SandboxGroup, endpoints: Sequence[Endpoint]) -> dict[str, str]:
    """Create every endpoint (recorded first); return endpoint name -> netns."""
    made = {e.name: endpoint_netns(group, i) for i, e in enumerate(endpoints)}
    if not endpoints:
        return made
    for name in made.values():
        group.ledger.add_netns(name)
    lab_netns.ip_batch([f"link add eth0 netns {made[e.name]} type veth peer name e{i} "
                        f"netns {group.peer}" for i, e in enumerate(endpoints)])
    lab_netns.ip_batch([f"link set e{i} master {e.bridge} up" for i, e in enumerate(endpoints)],
                       netns=group.peer)
    for endpoint in endpoints:
        lab_netns.ip_batch(_endpoint_setup(endpoint), netns=made[endpoint.name])
    return made


def _endpoint_setup(endpoint: Endpoint) -> list[str]:
    lines = [f"addr add {endpoint.address} dev eth0", "link set eth0 up"]
    lines += [f"addr add {extra} dev lo" for extra in endpoint.extra]
    if endpoint.gateway:
        lines.append(f"route add default via {endpoint.gateway} dev eth0")
    lines += [f"route add {route} dev eth0" for route in endpoint.routes]
    return lines


def pin_first_hops(endpoints: Sequence[Endpoint], made: Mapping[str, str],
                   roles: Mapping[str, tuple[str, int]]) -> dict[str, str]:
    """Point each ``via`` endpoint's gateway at the MAC of the router in that role.

    ``roles`` maps "primary"/"backup" to (router name, index); returns endpoint -> problem
    for endpoints whose role has no router (no election).
    """
    problems = {}
    for endpoint in endpoints:
        if not endpoint.via:
            continue
        if endpoint.via not in roles or not endpoint.gateway:
            problems[endpoint.name] = f"no {endpoint.via.upper()} router to send through"
            continue
        mac = nic_mac(roles[endpoint.via][1], endpoint.nic)
        lab_netns.ip_batch([f"neigh replace {endpoint.gateway} lladdr {mac} dev eth0 "
                            f"nud permanent"], netns=made[endpoint.name])
    return problems


def run_probes(probes: Sequence[Probe], endpoints: Sequence[Endpoint], made: Mapping[str, str],
               routers: Sequence[Router], problems: Mapping[str, str]) -> list[TestResult]:
    """Run every probe in parallel; each one a ``data-plane[...]`` test result."""
    if not probes:
        return []
    by_name = {e.name: e for e in endpoints}
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        futures = [pool.submit(_probe, p, by_name[p.source], made[p.source], routers,
                               problems.get(p.source, "")) for p in probes]
        return [future.result() for future in futures]


def _probe(probe: Probe, endpoint: Endpoint, netns: str, routers: Sequence[Router],
           problem: str) -> TestResult:
    started = time.monotonic()
    wait = REACHABLE_WAIT if probe.expect == "reachable" else UNREACHABLE_WAIT
    try:
        status, output = echo_in_netns(netns, probe.target, wait)
    except OSError as exc:
        status, output = 2, f"could not probe: {exc}"
    note = f"{probe.source} ({endpoint.address} on {endpoint.bridge}): {probe.why}".rstrip(": ")
    command = f"ip netns exec {netns} python -m vrtest.fastlane.echo {probe.target} {wait:g}"
    evidence = [Evidence(command, output, target=probe.source, note=note)]
    reached = status == 0
    ok = not problem and status in (0, 1) and reached == (probe.expect == "reachable")
    if not ok:
        evidence += _router_evidence(probe, endpoint, routers)
    message = "" if ok else _message(probe, problem or output)
    return TestResult(name=probe.name, classname="fastlane",
                      outcome=Outcome.PASSED if ok else Outcome.FAILED,
                      duration=time.monotonic() - started, message=message,
                      evidence=tuple(evidence),
                      properties=(("check", "data-plane"), ("from", probe.source),
                                  ("to", probe.target), ("expect", probe.expect)))


def _message(probe: Probe, what: str) -> str:
    why = f" ({probe.why})" if probe.why else ""
    return f"{probe.source} -> {probe.target}: expected {probe.expect}{why}, got: {what}"


def _router_evidence(probe: Probe, endpoint: Endpoint,
                     routers: Sequence[Router]) -> list[Evidence]:
    """How each router would route the probe, and its NAT/forwarding counters."""
    evidence = []
    for router in routers:
        for template in ROUTER_EVIDENCE:
            command = template.format(target=probe.target, source=endpoint.ip, nic=endpoint.nic)
            try:
                result = router.shell(command, timeout=10)
                output = result.stdout + result.stderr
            except SandboxError as exc:  # evidence must not hide the verdict
                output = f"could not run: {exc.one_line()}"
            evidence.append(Evidence(command, output[-3000:], target=router.name))
    return evidence
