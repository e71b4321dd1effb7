"""Discovery through a real HTTP server on loopback that verifies CloudStack signatures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_cloudstack import FakeApi, host_item, router_item, serve
from vrtest.cloudstack.client import ApiError, CloudStackClient
from vrtest.cloudstack.discovery import RouterFilter, discover_routers, list_guest_vms
from vrtest.errors import ConfigError, UnreachableError


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi("key-123", "secret-456")
    fake.items = {
        "listRouters": [
            router_item("r-4-VM", 4, linklocal="169.254.3.10", vpc="vpc-1"),
            router_item("r-5-VM", 5, linklocal="169.254.3.20", network="net-iso",
                        host_id="host-2"),
            router_item("r-6-VM", 6, linklocal="169.254.3.11", network="net-rvr",
                        redundant_state="MASTER"),
            router_item("r-7-VM", 7, linklocal="169.254.3.12", network="net-rvr",
                        redundant_state="BACKUP"),
            router_item("r-10-VM", 10, state="Stopped", host_id=""),
        ],
        "listHosts": [host_item("host-1", "10.0.0.21"), host_item("host-2", "10.0.0.22")],
    }
    with serve(fake) as served:
        yield served


def client(api: FakeApi, secret: str | None = None) -> CloudStackClient:
    return CloudStackClient(api.url, api.api_key, secret or api.secret_key, timeout=5)


def test_discovers_routers_with_their_hosts(api: FakeApi) -> None:
    routers = discover_routers(client(api))
    assert [r.name for r in routers] == ["r-4-VM", "r-5-VM", "r-6-VM", "r-7-VM", "r-10-VM"]
    vpc, isolated, primary, backup, stopped = routers
    assert (vpc.host_address, vpc.linklocal_ip, vpc.kind, vpc.vpc_id) == (
        "10.0.0.21", "169.254.3.10", "vpc", "vpc-1")
    assert (isolated.host_address, isolated.kind, isolated.network_ids) == (
        "10.0.0.22", "isolated", ("net-iso",))
    assert (vpc.public_ip, vpc.public_gateway) == ("172.16.0.10", "172.16.0.1")
    assert primary.redundant and primary.redundant_state == "PRIMARY"  # MASTER normalised
    assert backup.redundant_state == "BACKUP" and backup.group == primary.group
    assert stopped.state == "Stopped" and stopped.host_address == ""
    commands = [r["command"] for r in api.requests]
    assert commands.count("listHosts") == 2  # once per distinct host, not per router
    assert all(r.get("listall") == "true" for r in api.requests if r["command"] == "listRouters")


def test_filters_by_name_vpc_and_network(api: FakeApi) -> None:
    names = [r.name for r in discover_routers(client(api), RouterFilter(names=("r-5-VM",)))]
    assert names == ["r-5-VM"]
    assert [r.name for r in discover_routers(client(api), RouterFilter(vpcs=("vpc-1",)))] == [
        "r-4-VM"]
    by_network = discover_routers(client(api), RouterFilter(networks=("net-rvr-name",)))
    assert [r.name for r in by_network] == ["r-6-VM", "r-7-VM"]
    hosts_asked = [r for r in api.requests if r["command"] == "listHosts"]
    assert [r["id"] for r in hosts_asked][-1:] == ["host-1"]


def test_wrong_secret_is_a_config_error(api: FakeApi) -> None:
    with pytest.raises(ConfigError, match="rejected the API key or signature"):
        discover_routers(client(api, secret="wrong"))


def test_unreachable_api_exit_code_3() -> None:
    lost = CloudStackClient("http://127.0.0.1:9/client/api", "k", "s", timeout=2)
    with pytest.raises(UnreachableError, match="unreachable") as caught:
        discover_routers(lost)
    assert caught.value.exit_code == 3


def test_pages_are_followed(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vrtest.cloudstack.client._PAGE_SIZE", 2)
    items = client(api).list("listRouters", "router", listall="true")
    assert [i["name"] for i in items] == ["r-4-VM", "r-5-VM", "r-6-VM", "r-7-VM", "r-10-VM"]
    assert [r["page"] for r in api.requests] == ["1", "2", "3"]


def test_unsupported_command_is_reported_not_raised_for_vms(api: FakeApi) -> None:
    vms, note = list_guest_vms(client(api), ["net-1"])
    assert vms is None and "listVirtualMachines is not available" in note
    with pytest.raises(ApiError) as caught:
        client(api).request("listVirtualMachines")
    assert caught.value.code == 432


def test_guest_vms_per_network(api: FakeApi) -> None:
    api.items["listVirtualMachines"] = [
        {"id": "vm1", "name": "web-1", "nic": [
            {"networkid": "net-1", "ipaddress": "10.1.1.11", "macaddress": "02:00:AA:00:00:01"}]},
    ]
    vms, note = list_guest_vms(client(api), ["net-1"])
    assert note == "" and vms is not None
    assert [(v.name, v.ip, v.mac) for v in vms["net-1"]] == [
        ("web-1", "10.1.1.11", "02:00:aa:00:00:01")]


def test_integration_port_sends_no_signature(api: FakeApi) -> None:
    open_client = CloudStackClient(api.url, "", "", timeout=5)
    with pytest.raises(ConfigError):  # the fake requires signatures, like the 8080 port
        open_client.request("listRouters")
    assert "signature" not in api.requests[-1] and "apiKey" not in api.requests[-1]


def test_a_wrong_api_url_that_answers_404_names_the_setting(tmp_path) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cloudstack/api"  # wrong path
        with pytest.raises(ConfigError, match="answered 404 Not Found") as caught:
            discover_routers(CloudStackClient(url, "k", "s", timeout=5))
        assert "management.api_url" in caught.value.one_line()
    finally:
        server.shutdown()
        server.server_close()
