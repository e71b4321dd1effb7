"""Which VPNs CloudStack configured on a router: site-to-site files and the remote-access bag."""

from __future__ import annotations

import os
import re

_KEY = re.compile(r'"(?P<key>create|vpn_server_ip)"\s*:\s*(?P<value>true|false|"[^"]*")')


def site_to_site_connections(listing: str) -> list[str]:
    """Connection names (``vpn-<peer>``) from a listing of ``/etc/ipsec.d/ipsec.vpn-*.conf``."""
    names = [os.path.basename(path) for path in listing.split()]
    return [name[len("ipsec."):-len(".conf")] for name in names
            if name.startswith("ipsec.vpn-") and name.endswith(".conf")]


def remote_access_servers(output: str) -> list[str]:
    """Public IPs with remote-access VPN enabled in ``/etc/cloudstack/remoteaccessvpn.json``.

    ``output`` is the bag's ``"create"`` and ``"vpn_server_ip"`` lines; the bag is written with
    sorted keys, so each entry's ``create`` comes before its ``vpn_server_ip``.
    """
    servers, create = [], False
    for match in _KEY.finditer(output):
        if match.group("key") == "create":
            create = match.group("value") == "true"
        else:
            if create:
                servers.append(match.group("value").strip('"'))
            create = False
    return servers
