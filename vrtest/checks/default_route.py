"""default-route: the public default route is where CloudStack's own scripts put it.

Single VPC / isolated router: ``default via <public gw> dev <public nic>`` in the main table
and in the nic's table (``Table_eth1`` on a VPC router, ``Table_eth2`` on an isolated one).
Redundant PRIMARY: in the main table (CsRedundant.set_primary adds it there only; after the
election ``Table_eth1`` holds just its throw routes), and any default route in the nic's table
must be the same one. Redundant BACKUP: public nic down, no default route through it in any
table. The 2015 regression (a VPC router without a default route) fails here.
"""

from __future__ import annotations

from vrtest.checks import commands
from vrtest.checks.base import Check, CheckContext, Verdict, failed, passed, skipped
from vrtest.checks.parsers.links import Interface, interface_with_address, parse_interfaces
from vrtest.checks.parsers.routes import Route, default_routes, parse_routes
from vrtest.checks.roles import redundant_role, role_commands
from vrtest.cloudstack.discovery import Router
from vrtest.results import Evidence, Outcome

NAME = "default-route"
_PUBLIC_NIC_BY_KIND = {"vpc": "eth1", "isolated": "eth2"}


def _commands(router: Router) -> tuple[str, ...]:
    return (commands.ROUTES, commands.INTERFACES, *role_commands(router))


def render_routes(routes: list[Route]) -> str:
    """Routes as ``ip route`` text lines (local/broadcast and IPv6 left out)."""
    lines = []
    for route in routes:
        if route.table == "local" or route.type in ("local", "broadcast") or ":" in route.dst:
            continue
        words = [] if route.type == "unicast" else [route.type]
        words.append(route.dst)
        words += ["via", route.gateway] if route.gateway else []
        words += ["dev", route.dev] if route.dev else []
        words += ["table", route.table] if route.table != "main" else []
        lines.append(" ".join(words))
    return "\n".join(lines)


def public_nic(router: Router, interfaces: dict[str, Interface]) -> str:
    """The nic holding the router's public IP, else the kind's usual public nic."""
    found = interface_with_address(interfaces, router.public_ip) if router.public_ip else None
    return found.name if found else _PUBLIC_NIC_BY_KIND[router.kind]


def evaluate(ctx: CheckContext) -> Verdict:
    """The verdict for one router."""
    routes = parse_routes(ctx.result(commands.ROUTES).stdout)
    interfaces = parse_interfaces(ctx.result(commands.INTERFACES).stdout)
    nic = public_nic(ctx.router, interfaces)
    route_evidence = ctx.evidence(commands.ROUTES, render_routes(routes),
                                  note="local/broadcast/IPv6 routes left out")
    if not ctx.router.redundant:
        return _expect_default(ctx, routes, nic, ("main", f"Table_{nic}"), route_evidence)
    role = redundant_role(ctx)
    if role == "PRIMARY":
        return _expect_primary(ctx, routes, nic, route_evidence)
    if role == "BACKUP":
        return _expect_backup(ctx, routes, interfaces, nic, route_evidence)
    return skipped(f"redundant state is {role}: no default route is expected either way "
                   "(the redundant-state check reports it)", ctx.evidence(commands.CHECKROUTER))


def _expect_default(ctx: CheckContext, routes: list[Route], nic: str, tables: tuple[str, ...],
                    evidence: Evidence) -> Verdict:
    gateway = ctx.router.public_gateway
    want = f"default via {gateway or '<public gateway>'} dev {nic}"
    problems = []
    for table in tables:
        found = default_routes(routes, table)
        good = [r for r in found if r.dev == nic and (not gateway or r.gateway == gateway)]
        if not good:
            seen = "; ".join(render_routes([r]) for r in found) or "none"
            problems.append(f"table {table}: no {want} (default routes there: {seen})")
    if problems:
        return failed(f"{ctx.router.name}: " + "; ".join(problems), evidence)
    return passed(f"{want} in table(s) {', '.join(tables)}", evidence)


def _expect_primary(ctx: CheckContext, routes: list[Route], nic: str,
                    evidence: Evidence) -> Verdict:
    """Main table as on a single router; the nic's table may hold none, but never a wrong one."""
    verdict = _expect_default(ctx, routes, nic, ("main",), evidence)
    if verdict.outcome is not Outcome.PASSED:
        return verdict
    gateway, table = ctx.router.public_gateway, f"Table_{nic}"
    in_table = default_routes(routes, table)
    wrong = [r for r in in_table if r.dev != nic or (gateway and r.gateway != gateway)]
    if wrong:
        return failed(f"{ctx.router.name}: table {table}: default route not via "
                      f"{gateway or 'the public gateway'} dev {nic}: "
                      + "; ".join(render_routes([r]) for r in wrong), evidence)
    return passed(f"PRIMARY: {verdict.message}; {table}: "
                  + ("the same" if in_table else "none (as CloudStack leaves it)"), evidence)


def _expect_backup(ctx: CheckContext, routes: list[Route], interfaces: dict[str, Interface],
                   nic: str, evidence: Evidence) -> Verdict:
    link = interfaces.get(nic)
    through_nic = [r for r in routes if r.is_default and r.type == "unicast" and r.dev == nic]
    link_evidence = ctx.evidence(commands.INTERFACES)
    problems = []
    if link is not None and link.up:
        problems.append(f"public nic {nic} is {link.state} on a BACKUP (should be DOWN)")
    if through_nic:
        problems.append(f"BACKUP has a default route through {nic}: "
                        + render_routes(through_nic))
    if problems:
        return failed(f"{ctx.router.name}: " + "; ".join(problems), evidence, link_evidence)
    return passed(f"BACKUP: public nic {nic} down, no default route through it",
                  evidence, link_evidence)


CHECK = Check(NAME, "public default route in main (and per-nic table); BACKUP has none",
              _commands, evaluate)
