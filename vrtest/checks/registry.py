"""The registry of VR checks, in the order they run and are reported."""

from __future__ import annotations

from vrtest.checks import (
    default_route,
    dhcp_dns,
    iptables_policy,
    redundant_state,
    services,
    vpn,
)
from vrtest.checks.base import Check
from vrtest.errors import UsageError

CHECKS: tuple[Check, ...] = (
    default_route.CHECK,
    iptables_policy.CHECK,
    redundant_state.CHECK,
    vpn.CHECK,
    dhcp_dns.CHECK,
    services.CHECK,
)
CHECK_NAMES: tuple[str, ...] = tuple(check.name for check in CHECKS)


def select_checks(names: list[str] | None) -> tuple[Check, ...]:
    """The checks named (all when ``names`` is empty), in the registry's order."""
    if not names:
        return CHECKS
    unknown = sorted(set(names) - set(CHECK_NAMES))
    if unknown:
        raise UsageError(f"unknown check {', '.join(unknown)}",
                         hint=f"choose from {', '.join(CHECK_NAMES)}")
    return tuple(check for check in CHECKS if check.name in names)
