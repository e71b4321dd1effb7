"""The VPNs the API says exist: site-to-site connections and remote-access VPNs, by public IP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vrtest.cloudstack.client import ApiError, CloudStackClient
from vrtest.cloudstack.discovery import Router

# Connection states in which the management server has already sent the config to the router.
_NOT_YET_APPLIED = {"pending", "removed"}


@dataclass(frozen=True)
class ApiVpns:
    """Peers of site-to-site connections and remote-access VPNs, keyed by the VR's public IP."""

    site_to_site: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    remote_access: frozenset[str] = frozenset()

    def expected_for(self, router: Router) -> tuple[list[str], list[str]]:
        """(``vpn-<peer>`` connection names, remote-access public IPs) on ``router``'s IPs."""
        addresses = {router.public_ip} | {nic.ip for nic in router.nics
                                          if nic.traffic_type == "Public"}
        addresses.discard("")
        tunnels = sorted(f"vpn-{peer}" for ip in addresses
                         for peer in self.site_to_site.get(ip, ()))
        return tunnels, sorted(addresses & self.remote_access)


def list_vpns(client: CloudStackClient) -> tuple[ApiVpns | None, str]:
    """What listVpnConnections/listRemoteAccessVpns say, or (None, reason) when unavailable."""
    try:
        connections = client.list("listVpnConnections", "vpnconnection", listall="true")
        remote = client.list("listRemoteAccessVpns", "remoteaccessvpn", listall="true")
    except ApiError as exc:
        return None, f"not compared with the API: {exc.command} is not available"
    peers: dict[str, list[str]] = {}
    for item in connections:
        if str(item.get("state", "")).lower() not in _NOT_YET_APPLIED and item.get("gateway"):
            peers.setdefault(str(item.get("publicip", "")), []).append(str(item["gateway"]))
    running = frozenset(str(item.get("publicip", "")) for item in remote
                        if str(item.get("state", "")).lower() == "running")
    return ApiVpns({ip: tuple(sorted(p)) for ip, p in peers.items()}, running), ""
