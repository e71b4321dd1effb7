"""vrtest's own VR-check suite: ``pytest suites/vr --vrtest-env local``.

Each test runs on every router the environment's API lists (ids are router names).
"""

from __future__ import annotations

from collections.abc import Callable

from vrtest.cloudstack.discovery import Router

Check = Callable[[str, Router], None]


def test_default_route(vr_router: Router, vr_check: Check) -> None:
    """The public default route is where CloudStack's scripts put it (none on a BACKUP)."""
    vr_check("default-route", vr_router)


def test_iptables_policy(vr_router: Router, vr_check: Check) -> None:
    """INPUT and FORWARD drop by default; CloudStack's chains exist."""
    vr_check("iptables-policy", vr_router)


def test_redundant_state(vr_router: Router, vr_check: Check) -> None:
    """Exactly one PRIMARY per redundant pair, agreeing with the API."""
    vr_check("redundant-state", vr_router)


def test_vpn(vr_router: Router, vr_check: Check) -> None:
    """Configured IPsec tunnels are up and the L2TP daemon runs."""
    vr_check("vpn", vr_router)


def test_dhcp_dns(vr_router: Router, vr_check: Check) -> None:
    """dnsmasq runs and knows every VM of the router's networks."""
    vr_check("dhcp-dns", vr_router)


def test_services(vr_router: Router, vr_check: Check) -> None:
    """The daemons a router of its kind needs are running."""
    vr_check("services", vr_router)
