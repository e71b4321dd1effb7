"""A real HTTP server on loopback answering like CloudStack's API (signed requests, JSON shapes).

CloudStack itself cannot run here; this serves the response shapes of listRouters, listHosts and
listVirtualMachines from fixtures, verifies every signature with vrtest.cloudstack.signing.verify,
pages results, and answers unknown commands with CloudStack's 432 error.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vrtest.cloudstack.signing import verify

RESPONSE_KEYS = {"listRouters": "router", "listHosts": "host",
                 "listVirtualMachines": "virtualmachine", "listVpnConnections": "vpnconnection",
                 "listRemoteAccessVpns": "remoteaccessvpn"}
FILTERS = {"id", "name", "vpcid", "networkid", "hostid"}


@dataclass
class FakeApi:
    """Fixture data and what was asked of it."""

    api_key: str
    secret_key: str
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


def _answer(api: FakeApi, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    api.requests.append(params)
    if params.get("apiKey") != api.api_key or not verify(params, api.secret_key):
        return 401, {"errorresponse": {"uuidList": [], "errorcode": 401, "errortext":
                     "unable to verify user credentials and/or request signature"}}
    command = params.get("command", "")
    if command not in RESPONSE_KEYS or command not in api.items:
        return 432, {"errorresponse": {"uuidList": [], "errorcode": 432, "errortext":
                     "The given command does not exist or it is not available for user"}}
    matches = [item for item in api.items[command]
               if all(_matches(item, key, params[key]) for key in FILTERS & set(params))]
    page, size = int(params.get("page", "1")), int(params.get("pagesize", "500"))
    chosen = matches[(page - 1) * size: page * size]
    body: dict[str, Any] = {"count": len(matches)}
    if chosen:
        body[RESPONSE_KEYS[command]] = chosen
    return 200, {f"{command.lower()}response": body}


def _matches(item: dict[str, Any], key: str, value: str) -> bool:
    """CloudStack's filter semantics: a VM matches ``networkid`` through any of its nics."""
    if key == "networkid" and "nic" in item and "networkid" not in item:
        return any(nic.get("networkid") == value for nic in item["nic"])
    return str(item.get(key, "")) == value


@contextmanager
def serve(api: FakeApi) -> Iterator[FakeApi]:
    """Serve ``api`` on 127.0.0.1 (free port) for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = urllib.parse.urlsplit(self.path).query
            params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            status, body = _answer(api, params)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}/client/api"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def router_item(name: str, number: int, *, host_id: str = "host-1", linklocal: str = "",
                vpc: str = "", network: str = "net-1", redundant_state: str = "",
                public_ip: str = "172.16.0.10", state: str = "Running") -> dict[str, Any]:
    """One listRouters item in CloudStack's shape."""
    nics = [
        {"id": f"nic-{number}-c", "traffictype": "Control", "ipaddress": linklocal,
         "netmask": "255.255.0.0", "gateway": "", "networkid": "ctl", "isdefault": False},
        {"id": f"nic-{number}-p", "traffictype": "Public", "ipaddress": public_ip,
         "netmask": "255.255.255.0", "gateway": "172.16.0.1", "networkid": "pub",
         "networkname": "public", "isdefault": True},
        {"id": f"nic-{number}-g", "traffictype": "Guest", "ipaddress": "10.1.1.1",
         "netmask": "255.255.255.0", "gateway": "10.1.1.1", "networkid": network,
         "networkname": f"{network}-name", "isdefault": False},
    ]
    item: dict[str, Any] = {
        "id": f"uuid-{number}", "name": name, "state": state, "hostid": host_id,
        "hostname": "kvm1", "linklocalip": linklocal, "publicip": public_ip,
        "guestipaddress": "10.1.1.1", "zoneid": "zone-1", "account": "admin", "role":
        "VIRTUAL_ROUTER", "isredundantrouter": bool(redundant_state), "nic": nics,
        "requiresupgrade": False, "version": "4.20.0",
    }
    if vpc:
        item.update(vpcid=vpc, vpcname=f"{vpc}-name")
    else:
        item.update(guestnetworkid=network)
    if redundant_state:
        item["redundantstate"] = redundant_state
    return item


def host_item(host_id: str, address: str) -> dict[str, Any]:
    """One listHosts item."""
    return {"id": host_id, "name": f"kvm-{host_id}", "ipaddress": address, "type": "Routing",
            "hypervisor": "KVM", "state": "Up", "resourcestate": "Enabled"}


def one_host_zone(api_key: str, secret_key: str, routers: dict[str, str],
                  hop_ip: str) -> FakeApi:
    """An API for routers (name -> link-local IP, each in its own VPC) on one host at ``hop_ip``."""
    api = FakeApi(api_key, secret_key)
    api.items = {
        "listRouters": [router_item(name, number, linklocal=ip, vpc=f"vpc-{number}")
                        for number, (name, ip) in enumerate(routers.items(), start=1)],
        "listHosts": [host_item("host-1", hop_ip)],
    }
    return api
