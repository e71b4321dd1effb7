"""A redundant router's role, which decides what CloudStack's scripts leave running on it.

CsRedundant.py (systemvm/debian/opt/cloud/bin/cs/): ``set_primary`` brings the public nics up,
adds the default route and (re)starts ipsec, xl2tpd, the password server and dnsmasq;
``set_backup`` and ``set_fault`` bring the public nics down and stop all of them.
"""

from __future__ import annotations

from vrtest.checks import commands
from vrtest.checks.base import CheckContext
from vrtest.checks.parsers.checkrouter import parse_checkrouter
from vrtest.cloudstack.discovery import Router


def role_commands(router: Router) -> tuple[str, ...]:
    """The commands that tell a redundant router's role and whether it is changing."""
    return (commands.CHECKROUTER, commands.ROLE_LOCK) if router.redundant else ()


def redundant_role(ctx: CheckContext) -> str:
    """PRIMARY/BACKUP/FAULT from checkrouter.sh, else the API's redundant state."""
    result = ctx.result(commands.CHECKROUTER)
    state = parse_checkrouter(result.stdout) if result.ok else "UNKNOWN"
    return state if state != "UNKNOWN" else ctx.router.redundant_state or "UNKNOWN"


def standby_role(ctx: CheckContext) -> str:
    """The role of a redundant router that is not PRIMARY (empty for a single router/PRIMARY)."""
    if not ctx.router.redundant:
        return ""
    role = redundant_role(ctx)
    return "" if role == "PRIMARY" else role
