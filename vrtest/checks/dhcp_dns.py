"""dhcp-dns: dnsmasq runs and every VM of the router's networks is in /etc/dhcphosts.txt.

On a redundant router dnsmasq runs only on the PRIMARY (CsRedundant.py: ``set_primary``
restarts it, ``set_backup``/``set_fault`` stop it; the role comes from checkrouter.sh), so
elsewhere only the hosts file is checked.
"""

from __future__ import annotations

from collections import Counter

from vrtest.checks import commands
from vrtest.checks.base import Check, CheckContext, Verdict, failed, passed
from vrtest.checks.parsers.files import (
    DhcpHost,
    Process,
    parse_dhcphosts,
    parse_processes,
    running,
)
from vrtest.checks.roles import role_commands, standby_role
from vrtest.cloudstack.discovery import Router

NAME = "dhcp-dns"


def _commands(router: Router) -> tuple[str, ...]:
    return (commands.PROCESSES, commands.DHCPHOSTS, *role_commands(router))


def evaluate(ctx: CheckContext) -> Verdict:
    """The verdict for one router."""
    processes = parse_processes(ctx.result(commands.PROCESSES).stdout)
    hosts_result = ctx.result(commands.DHCPHOSTS)
    hosts = parse_dhcphosts(hosts_result.stdout)
    problems, notes = [], []
    standby = standby_role(ctx)
    if not running(processes, "dnsmasq") and not standby:
        problems.append("dnsmasq is not running")
    if not hosts_result.ok:
        problems.append("/etc/dhcphosts.txt is missing")
    duplicates = sorted(ip for ip, n in Counter(h.ip for h in hosts).items() if n > 1)
    if duplicates:
        problems.append(f"duplicate IPs in /etc/dhcphosts.txt: {', '.join(duplicates)}")
    if ctx.vms_by_network is None:
        notes.append(f"VM entries not checked: {ctx.vm_note or 'no VM list from the API'}")
    else:
        problems += _missing_vms(ctx, hosts)
    evidence = (ctx.evidence(commands.PROCESSES, _dnsmasq_lines(processes)),
                ctx.evidence(commands.DHCPHOSTS))
    if problems:
        return failed(f"{ctx.router.name}: " + "; ".join(problems), *evidence)
    summary = "dnsmasq " + (f"not required on a {standby}" if standby else "running")
    return passed("; ".join([summary, f"{len(hosts)} DHCP host(s)", *notes]), *evidence)


def _missing_vms(ctx: CheckContext, hosts: list[DhcpHost]) -> list[str]:
    assert ctx.vms_by_network is not None
    by_ip = {host.ip: host for host in hosts}
    missing = []
    for network_id in ctx.router.network_ids:
        for vm in ctx.vms_by_network.get(network_id, []):
            entry = by_ip.get(vm.ip)
            if entry is None or (vm.mac and entry.mac != vm.mac):
                missing.append(f"{vm.name} ({vm.ip})")
    return [f"not in /etc/dhcphosts.txt: {', '.join(missing)}"] if missing else []


def _dnsmasq_lines(processes: list[Process]) -> str:
    lines = [f"{p.pid} {p.args}" for p in running(processes, "dnsmasq")]
    return "\n".join(lines) or "(no dnsmasq process)"


CHECK = Check(NAME, "dnsmasq running; every VM of the router's networks in dhcphosts.txt",
              _commands, evaluate)
