"""services: the daemons a router of its kind must run.

All routers: sshd. Redundant routers: keepalived, and conntrackd where it is configured.
Password server where ``/var/cache/cloud/passwords-*`` exists (on a redundant pair only on
the PRIMARY: CsRedundant.py's ``set_backup``/``set_fault`` stop it, ``set_primary`` restarts it;
the role comes from checkrouter.sh).
"""

from __future__ import annotations

from vrtest.checks import commands
from vrtest.checks.base import Check, CheckContext, Verdict, failed, passed
from vrtest.checks.parsers.files import Process, parse_processes, running
from vrtest.checks.roles import role_commands, standby_role
from vrtest.cloudstack.discovery import Router

NAME = "services"
PASSWORD_SERVER = ("passwd_server_ip.py", "passwd_server_ip", "passwd_server")


def _commands(router: Router) -> tuple[str, ...]:
    return (commands.PROCESSES, commands.CONFIGURED, *role_commands(router))


def required_services(router: Router, configured: str, *, standby: bool = False
                      ) -> list[tuple[str, ...]]:
    """Each required service as the program names that satisfy it (``standby``: not PRIMARY)."""
    required: list[tuple[str, ...]] = [("sshd",)]
    if router.redundant:
        required.append(("keepalived",))
        if "/etc/conntrackd/conntrackd.conf" in configured.split():
            required.append(("conntrackd",))
    if "/var/cache/cloud/passwords-" in configured and not standby:
        required.append(PASSWORD_SERVER)
    return required


def evaluate(ctx: CheckContext) -> Verdict:
    """The verdict for one router."""
    processes = parse_processes(ctx.result(commands.PROCESSES).stdout)
    required = required_services(ctx.router, ctx.result(commands.CONFIGURED).stdout,
                                 standby=bool(standby_role(ctx)))
    found: list[Process] = []
    missing = []
    for names in required:
        matches = [p for name in names for p in running(processes, name)]
        found += matches[:1]
        if not matches:
            missing.append(names[0])
    listing = "\n".join(f"{p.pid} {p.args}" for p in found) or "(none of them running)"
    evidence = (ctx.evidence(commands.PROCESSES, listing,
                             note="processes of the required services"),
                ctx.evidence(commands.CONFIGURED))
    wanted = ", ".join(names[0] for names in required)
    if missing:
        return failed(f"{ctx.router.name}: not running: {', '.join(missing)} "
                      f"(required: {wanted})", *evidence)
    return passed(f"running: {wanted}", *evidence)


CHECK = Check(NAME, "sshd; keepalived/conntrackd on redundant; password server where configured",
              _commands, evaluate)
