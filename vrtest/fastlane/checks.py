"""VR checks over a sandboxed router: a command, a pure verdict, evidence.

The check names are the project's (``default-route``, ``iptables-policy``, ``redundant-state``,
``vpn``, ``dhcp-dns``, ``services``) plus ``scripts`` (every update_config.py exited 0, no
traceback) and ``state`` (lines a scenario expects in a state section). Each check talks to the
router only through ``shell(command) -> CommandResult``, the same interface as a real router's
SSH shell, so the shared checks of ``vrtest/checks`` can take this backend unchanged.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from vrtest.fastlane.apply import StepOutcome
from vrtest.fastlane.sandbox import CommandResult
from vrtest.fastlane.state import RouterState
from vrtest.results import Evidence, Outcome, TestResult


class Shell(Protocol):
    """Anything that runs a command on a router (sandbox, SSH)."""

    name: str

    def shell(self, command: str, *, timeout: float = ...) -> CommandResult:
        """Run a shell command line on the router."""


def _result(name: str, router: str, ok: bool, message: str, evidence: Sequence[Evidence],
            started: float) -> TestResult:
    return TestResult(name=f"{name}[{router}]", classname="fastlane",
                      outcome=Outcome.PASSED if ok else Outcome.FAILED,
                      duration=time.monotonic() - started, message="" if ok else message,
                      evidence=tuple(evidence), properties=(("check", name), ("router", router)))


def _run(shell: Shell, command: str) -> tuple[CommandResult, Evidence]:
    result = shell.shell(command)
    return result, Evidence(command, result.stdout + result.stderr, target=shell.name)


def default_route(shell: Shell, expect: dict[str, Any]) -> TestResult:
    """The main table's default route goes via the expected gateway and device."""
    started = time.monotonic()
    result, evidence = _run(shell, "ip -4 route list 0/0")
    _, table = _run(shell, "ip -4 route show table all | grep -vE '^(local|broadcast) '")
    routes = parse_default_routes(result.stdout)
    want = (str(expect["via"]), str(expect.get("dev", "")))
    ok = any(via == want[0] and (not want[1] or dev == want[1]) for via, dev in routes)
    found = ", ".join(f"via {v} dev {d}" for v, d in routes) or "none"
    message = f"expected default route via {want[0]} dev {want[1] or 'any'}; found {found}"
    return _result("default-route", shell.name, ok, message, [evidence, table], started)


def parse_default_routes(text: str) -> list[tuple[str, str]]:
    """``(gateway, device)`` of each ``default via G dev D`` line (pure)."""
    found = re.findall(r"^default via (\S+) dev (\S+)", text, flags=re.M)
    return [(str(via), str(dev)) for via, dev in found]


def iptables_policy(shell: Shell, expect: dict[str, str]) -> TestResult:
    """Built-in filter chains have the expected policies (INPUT/FORWARD DROP on a VR)."""
    started = time.monotonic()
    result, evidence = _run(shell, "iptables -t filter -S")
    policies = dict(re.findall(r"^-P (\S+) (\S+)", result.stdout, flags=re.M))
    wrong = [f"{chain} is {policies.get(chain, 'missing')}, expected {want}"
             for chain, want in expect.items() if policies.get(chain) != want]
    return _result("iptables-policy", shell.name, not wrong, "; ".join(wrong), [evidence], started)


def services(shell: Shell, expect: Sequence[str]) -> TestResult:
    """The expected daemons run inside the router."""
    started = time.monotonic()
    result, evidence = _run(shell, "ps -eo comm=")
    running = set(result.stdout.split())
    missing = [name for name in expect if name not in running]
    return _result("services", shell.name, not missing, f"not running: {', '.join(missing)}",
                   [evidence], started)


def dhcp_dns(shell: Shell, expect: dict[str, Any]) -> TestResult:
    """dnsmasq runs and its host file and config hold the expected entries."""
    started = time.monotonic()
    hosts, ev_hosts = _run(shell, "cat /etc/dhcphosts.txt /etc/hosts 2>/dev/null")
    procs, ev_procs = _run(shell, "ps -eo comm=")
    problems = [] if "dnsmasq" in procs.stdout.split() else ["dnsmasq not running"]
    problems += [f"no DHCP/DNS entry matching {p!r}" for p in expect.get("entries", ())
                 if not re.search(p, hosts.stdout, flags=re.M)]
    return _result("dhcp-dns", shell.name, not problems, "; ".join(problems),
                   [ev_hosts, ev_procs], started)


def vpn(shell: Shell, expect: dict[str, Any]) -> TestResult:
    """The VPN configs the scripts wrote hold the expected connections and settings."""
    started = time.monotonic()
    conf, evidence = _run(shell, "cat /etc/ipsec.d/*.conf /etc/ipsec.conf "
                                 "/etc/ppp/chap-secrets 2>/dev/null")
    missing = [p for p in expect.get("config", ()) if not re.search(p, conf.stdout, flags=re.M)]
    return _result("vpn", shell.name, not missing,
                   "missing in VPN config: " + "; ".join(missing), [evidence], started)


def scripts(router: str, steps: Sequence[StepOutcome], log: CommandResult) -> TestResult:
    """Every boot and update_config.py run exited 0 and cloud.log has no traceback."""
    started = time.monotonic()
    failed = [f"{s.step} exited {s.exit_status}" for s in steps if not s.ok]
    if "Traceback" in log.stdout:
        failed.append("Python traceback in /var/log/cloud.log")
    evidence = [Evidence(f"{s.step}", s.output[-2000:], target=router,
                         note=f"exit {s.exit_status} in {s.duration:.2f}s") for s in steps]
    evidence.append(Evidence(log.command, log.stdout[-4000:], target=router))
    return _result("scripts", router, not failed, "; ".join(failed), evidence, started)


def expected_state(state: RouterState, expect: dict[str, Sequence[str]]) -> TestResult:
    """Every pattern a scenario lists for a state section matches one of its lines."""
    started = time.monotonic()
    missing, evidence = [], []
    for section, patterns in expect.items():
        text = state.text(section)
        gone = [p for p in patterns if not re.search(p, text, flags=re.M)]
        missing += [f"{section}: {p}" for p in gone]
        if gone:
            evidence.append(Evidence(f"state section {section}", text, target=state.router))
    return _result("state", state.router, not missing, "missing " + "; ".join(missing),
                   evidence, started)


def redundant_state(shells: Sequence[Shell]) -> TestResult:
    """Exactly one router of a redundant group says PRIMARY, the others BACKUP."""
    started = time.monotonic()
    states, evidence = redundant_states(shells)
    primaries = [name for name, state in states.items() if state == "PRIMARY"]
    others = [f"{name} {state}" for name, state in states.items()
              if state not in ("PRIMARY", "BACKUP")]
    ok = len(primaries) == 1 and not others
    message = f"expected one PRIMARY and the rest BACKUP; got {states}"
    group = "+".join(s.name for s in shells)
    return _result("redundant-state", group, ok, message, evidence, started)


def redundant_states(shells: Sequence[Shell]) -> tuple[dict[str, str], list[Evidence]]:
    """``checkrouter.sh`` status per router, with its evidence."""
    states, evidence = {}, []
    for shell in shells:
        result, ev = _run(shell, "/opt/cloud/bin/checkrouter.sh")
        match = re.search(r"Status: (\w+)", result.stdout)
        states[shell.name] = match.group(1) if match else "UNKNOWN"
        evidence.append(ev)
    return states, evidence


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.5) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
