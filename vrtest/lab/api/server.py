"""The lab's API server: CloudStack's ``/client/api`` list calls over HTTP on loopback.

Requests are verified as CloudStack does (HMAC-SHA1 over the sorted, lower-cased
query, :func:`vrtest.cloudstack.signing.verify`); a bad signature gets CloudStack's
401 body. Redundant routers' state is polled with their ``checkrouter.sh`` on each
request, as the management server's periodic check would.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vrtest.cloudstack.signing import verify
from vrtest.lab.api.records import Record, Records

AUTH_ERROR = "unable to verify user credentials and/or request signature"


@dataclass(frozen=True)
class Command:
    """One list API: response key, item key, record source and the filters it accepts."""

    response: str
    item: str
    source: Callable[[Records], list[Record]]
    filters: dict[str, str]  # request parameter -> record field


COMMANDS: dict[str, Command] = {
    "listzones": Command("listzonesresponse", "zone", Records.zones, {"id": "id", "name": "name"}),
    "listhosts": Command(
        "listhostsresponse",
        "host",
        Records.hosts,
        {
            "id": "id",
            "name": "name",
            "type": "type",
            "zoneid": "zoneid",
            "state": "state",
            "hypervisor": "hypervisor",
        },
    ),
    "listrouters": Command(
        "listroutersresponse",
        "router",
        Records.routers,
        {
            "id": "id",
            "name": "name",
            "state": "state",
            "hostid": "hostid",
            "zoneid": "zoneid",
            "vpcid": "vpcid",
            "networkid": "nic.networkid",
        },
    ),
    "listnetworks": Command(
        "listnetworksresponse",
        "network",
        Records.networks,
        {
            "id": "id",
            "vpcid": "vpcid",
            "zoneid": "zoneid",
            "type": "type",
            "traffictype": "traffictype",
            "name": "name",
        },
    ),
    "listvpcs": Command(
        "listvpcsresponse",
        "vpc",
        Records.vpcs,
        {"id": "id", "name": "name", "zoneid": "zoneid", "cidr": "cidr"},
    ),
    "listpublicipaddresses": Command(
        "listpublicipaddressesresponse",
        "publicipaddress",
        Records.public_ips,
        {
            "id": "id",
            "ipaddress": "ipaddress",
            "associatednetworkid": "associatednetworkid",
            "vpcid": "vpcid",
            "zoneid": "zoneid",
            "issourcenat": "issourcenat",
        },
    ),
    "listvirtualmachines": Command(
        "listvirtualmachinesresponse",
        "virtualmachine",
        Records.vms,
        {
            "id": "id",
            "name": "name",
            "hostid": "hostid",
            "zoneid": "zoneid",
            "vpcid": "vpcid",
            "state": "state",
            "networkid": "nic.networkid",
        },
    ),
}


def error_body(code: int, text: str, response: str = "errorresponse") -> dict[str, Any]:
    """CloudStack's error body."""
    return {
        response: {"uuidList": [], "errorcode": code, "cserrorcode": 9999, "errortext": text}
        if code != 401
        else {"uuidList": [], "errorcode": 401, "errortext": text}
    }


def _matches(record: Record, field: str, wanted: str) -> bool:
    if field.startswith("nic."):
        return any(_matches(nic, field[4:], wanted) for nic in record.get("nic", []))
    value = record.get(field)
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    return value is not None and str(value).lower() == wanted.lower()


def answer(command: Command, records: Records, params: dict[str, str]) -> dict[str, Any]:
    """Run a list command: filter, keyword, page; empty results are ``{}`` as in CloudStack."""
    items = command.source(records)
    for param, field in command.filters.items():
        if params.get(param):
            items = [item for item in items if _matches(item, field, params[param])]
    if params.get("keyword"):
        items = [item for item in items if params["keyword"].lower() in str(item.get("name", ""))]
    if params.get("forvpc") and command.item == "router":
        wanted = params["forvpc"].lower() == "true"
        items = [item for item in items if ("vpcid" in item) == wanted]
    count = len(items)
    if params.get("pagesize", "").isdigit():
        size, page = int(params["pagesize"]), int(params.get("page", "1") or 1)
        items = items[(page - 1) * size : page * size]
    body = {"count": count, command.item: items} if items else {}
    return {command.response: body}


class ApiHandler(BaseHTTPRequestHandler):
    """Serves ``GET``/``POST /client/api``."""

    server: LabApiServer

    def do_GET(self) -> None:
        """A query-string request."""
        parsed = urllib.parse.urlsplit(self.path)
        self._serve(parsed.path, parsed.query)

    def do_POST(self) -> None:
        """A form-encoded request."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        parsed = urllib.parse.urlsplit(self.path)
        self._serve(parsed.path, "&".join(part for part in (parsed.query, body) if part))

    def _serve(self, path: str, query: str) -> None:
        if path.rstrip("/") != "/client/api":
            self._send(404, error_body(404, f"no such path {path}"))
            return
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        status, body = self.server.handle(params)
        self._send(status, body)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Log requests without their query (it holds the API key and signature)."""
        self.server.log(
            f"{self.command} {self.path.split('?', 1)[0]} {args[1] if len(args) > 1 else ''}"
        )


class LabApiServer(ThreadingHTTPServer):
    """The HTTP server holding the keys and the record builder."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        api_key: str,
        secret_key: str,
        records: Callable[[], Records],
        log: Callable[[str], None],
    ) -> None:
        super().__init__(address, ApiHandler)
        self.api_key, self.secret_key, self.records, self.log = api_key, secret_key, records, log

    def handle(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Authenticate, then dispatch to the list command."""
        name = params.get("command", "")
        if params.get("apiKey") != self.api_key or not verify(params, self.secret_key):
            return 401, error_body(401, AUTH_ERROR)
        command = COMMANDS.get(name.lower())
        if command is None:
            text = f"The given command:{name} does not exist or it is not available for user"
            return 432, error_body(432, text)
        return 200, answer(command, self.records(), params)
