"""vpn: configured site-to-site tunnels are up and the remote-access daemons run.

CloudStack writes ``/etc/ipsec.d/ipsec.vpn-<peer>.conf`` per site-to-site connection (named
``vpn-<peer>``) and ``/etc/ipsec.d/l2tp.conf`` for remote-access VPN (strongSwan + xl2tpd).
"""

from __future__ import annotations

import os

from vrtest.checks import commands
from vrtest.checks.base import Check, CheckContext, Verdict, failed, passed, skipped
from vrtest.checks.parsers.files import parse_processes, running
from vrtest.checks.parsers.ipsec import parse_ipsec_status
from vrtest.cloudstack.discovery import Router

NAME = "vpn"


def _commands(router: Router) -> tuple[str, ...]:
    return (commands.CONFIGURED, commands.IPSEC, commands.PROCESSES)


def configured_tunnels(listing: str) -> tuple[list[str], bool]:
    """Site-to-site connection names and whether remote access is configured."""
    names = [os.path.basename(path) for path in listing.split()]
    tunnels = [name[len("ipsec."):-len(".conf")] for name in names
               if name.startswith("ipsec.vpn-") and name.endswith(".conf")]
    return tunnels, "l2tp.conf" in names


def evaluate(ctx: CheckContext) -> Verdict:
    """The verdict for one router."""
    tunnels, remote_access = configured_tunnels(ctx.result(commands.CONFIGURED).stdout)
    config = ctx.evidence(commands.CONFIGURED)
    if not tunnels and not remote_access:
        return skipped("no site-to-site or remote-access VPN configured on this router", config)
    if ctx.router.redundant and ctx.router.redundant_state == "BACKUP":
        return skipped("VPN runs on the PRIMARY of a redundant pair", config)
    status = ctx.result(commands.IPSEC)
    connections = parse_ipsec_status(status.stdout)
    problems = [f"tunnel {name} is {connections[name].ike_state or 'not established'}"
                if name in connections else f"tunnel {name} unknown to ipsec"
                for name in tunnels if name not in connections or not connections[name].up]
    if not status.ok:
        problems.insert(0, f"ipsec statusall failed (exit {status.exit_status}): the IPsec "
                           "daemon is not running")
    processes = parse_processes(ctx.result(commands.PROCESSES).stdout)
    if remote_access and not running(processes, "xl2tpd"):
        problems.append("remote-access VPN configured but xl2tpd is not running")
    evidence = (config, ctx.evidence(commands.IPSEC))
    if problems:
        return failed(f"{ctx.router.name}: " + "; ".join(problems), *evidence)
    parts = [f"{len(tunnels)} tunnel(s) up"] + (["xl2tpd running"] if remote_access else [])
    return passed(", ".join(parts), *evidence)


CHECK = Check(NAME, "IPsec tunnels up and L2TP daemon running where VPN is configured",
              _commands, evaluate)
