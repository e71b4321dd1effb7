"""vpn: configured site-to-site tunnels are up and the remote-access daemons run.

"Configured" is what CloudStack's scripts write when a VPN is really set up (configure.py):
CsSite2SiteVpn writes ``/etc/ipsec.d/ipsec.vpn-<peer>.conf`` per connection (``conn vpn-<peer>``)
and deletes it when the connection is removed; CsRemoteAccessVpn is driven by the
``/etc/cloudstack/remoteaccessvpn.json`` databag (an entry per public IP, ``"create": true``
while enabled). ``/etc/ipsec.d/l2tp.conf`` says nothing: the systemvm template ships it.
On a redundant pair only the PRIMARY runs ipsec/xl2tpd (CsRedundant stops them elsewhere).
Where the API answers ``listVpnConnections``/``listRemoteAccessVpns``, a VPN it lists on the
router's public IPs that the router has no config for fails too.
"""

from __future__ import annotations

from vrtest.checks import commands
from vrtest.checks.base import Check, CheckContext, Verdict, failed, passed, skipped
from vrtest.checks.parsers.files import parse_processes, running
from vrtest.checks.parsers.ipsec import parse_ipsec_status
from vrtest.checks.parsers.vpnconfig import remote_access_servers, site_to_site_connections
from vrtest.checks.roles import role_commands, standby_role
from vrtest.cloudstack.discovery import Router

NAME = "vpn"


def _commands(router: Router) -> tuple[str, ...]:
    return (commands.CONFIGURED, commands.REMOTE_ACCESS_VPN, commands.IPSEC, commands.PROCESSES,
            *role_commands(router))


def evaluate(ctx: CheckContext) -> Verdict:
    """The verdict for one router."""
    tunnels = site_to_site_connections(ctx.result(commands.CONFIGURED).stdout)
    servers = remote_access_servers(ctx.result(commands.REMOTE_ACCESS_VPN).stdout)
    config = (ctx.evidence(commands.CONFIGURED, note="site-to-site: ipsec.vpn-<peer>.conf"),
              ctx.evidence(commands.REMOTE_ACCESS_VPN, note="remote access: enabled entries"))
    role = standby_role(ctx)
    if role:
        return skipped(f"VPN runs on the PRIMARY of a redundant pair (this router is {role})",
                       *config)
    problems = _missing_from_router(ctx, tunnels, servers)
    if not tunnels and not servers and not problems:
        return skipped("no site-to-site or remote-access VPN configured on this router "
                       "(no ipsec.vpn-*.conf, no enabled remoteaccessvpn.json entry)"
                       + _api_note(ctx), *config)
    problems += _daemon_problems(ctx, tunnels, servers)
    evidence = (*config, ctx.evidence(commands.IPSEC))
    if problems:
        return failed(f"{ctx.router.name}: " + "; ".join(problems), *evidence)
    parts = ([f"{len(tunnels)} tunnel(s) up"] if tunnels else []) + (
        [f"remote access on {', '.join(servers)}: ipsec and xl2tpd running"] if servers else [])
    return passed(", ".join(parts) + _api_note(ctx), *evidence)


def _missing_from_router(ctx: CheckContext, tunnels: list[str], servers: list[str]
                         ) -> list[str]:
    """VPNs the API lists on this router's public IPs that its config does not have."""
    if ctx.vpns is None:
        return []
    want_tunnels, want_servers = ctx.vpns.expected_for(ctx.router)
    problems = [f"the API lists {name} but there is no /etc/ipsec.d/ipsec.{name}.conf"
                for name in want_tunnels if name not in tunnels]
    problems += [f"the API lists a running remote-access VPN on {ip} but remoteaccessvpn.json "
                 "has no enabled entry for it" for ip in want_servers if ip not in servers]
    return problems


def _daemon_problems(ctx: CheckContext, tunnels: list[str], servers: list[str]) -> list[str]:
    """Tunnels not up, ipsec not answering, xl2tpd not running."""
    status = ctx.result(commands.IPSEC)
    connections = parse_ipsec_status(status.stdout)
    problems = [f"tunnel {name} is {connections[name].ike_state or 'not established'}"
                if name in connections else f"tunnel {name} unknown to ipsec"
                for name in tunnels if name not in connections or not connections[name].up]
    if not status.ok:
        problems.insert(0, f"ipsec statusall failed (exit {status.exit_status}): the IPsec "
                           "daemon is not running")
    processes = parse_processes(ctx.result(commands.PROCESSES).stdout)
    if servers and not running(processes, "xl2tpd"):
        problems.append(f"remote-access VPN enabled on {', '.join(servers)} but xl2tpd is "
                        "not running")
    return problems


def _api_note(ctx: CheckContext) -> str:
    if ctx.vpns is not None:
        return " (matches the API's VPN list)"
    return f" ({ctx.vpn_note})" if ctx.vpn_note else ""


CHECK = Check(NAME, "IPsec tunnels up and L2TP daemon running where VPN is configured",
              _commands, evaluate)
