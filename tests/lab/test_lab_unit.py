"""The lab's pure parts: topology, iptables and route generation, VR files, API, config, state."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CliRunner
from tests.lab.conftest import GOLDEN, LOCAL_YAML, free_port
from tests.lab.shapes import iptables_lines, shapes
from vrtest.cloudstack.signing import signed_query
from vrtest.errors import ConfigError
from vrtest.lab import netns
from vrtest.lab.addressing import build_topology
from vrtest.lab.api.records import Records
from vrtest.lab.api.server import LabApiServer
from vrtest.lab.config import LabConfig, load_lab_config
from vrtest.lab.iptables import router_rules
from vrtest.lab.routes import router_commands
from vrtest.lab.state import LabState
from vrtest.lab.topology import Topology
from vrtest.lab.vrfiles import cmdline, dhcphosts, rt_tables


@pytest.fixture
def config() -> LabConfig:
    return load_lab_config(str(LOCAL_YAML))


@pytest.fixture
def topology(config: LabConfig) -> Topology:
    return build_topology(config)


def layout(topology: Topology, name: str) -> list[tuple[str, str]]:
    return [(nic.device, nic.traffic) for nic in topology.router(name).nics]


def test_default_routers_have_cloudstack_nic_layouts(topology: Topology) -> None:
    assert [r.name for r in topology.routers] == ["r-4-VM", "r-5-VM", "r-6-VM", "r-7-VM"]
    assert layout(topology, "r-4-VM") == [
        ("eth0", "Control"),
        ("eth1", "Public"),
        ("eth2", "Guest"),
        ("eth3", "Guest"),
    ]
    assert layout(topology, "r-5-VM") == [
        ("eth0", "Guest"),
        ("eth1", "Control"),
        ("eth2", "Public"),
    ]
    six, seven = topology.router("r-6-VM"), topology.router("r-7-VM")
    assert (six.peer, seven.peer, six.redundant) == ("r-7-VM", "r-6-VM", True)
    assert (
        six.public_ip == seven.public_ip and six.nic("Guest").address != seven.nic("Guest").address
    )
    assert topology.router("r-4-VM").nic("Control").address == "169.254.3.10"
    assert Topology.from_dict(json.loads(json.dumps(topology.to_dict()))) == topology


def test_extra_routers_alternate_vpc_and_isolated(config: LabConfig) -> None:
    topology = build_topology(config, 3)
    assert [(r.name, r.kind) for r in topology.routers[4:]] == [
        ("r-8-VM", "vpc"),
        ("r-9-VM", "isolated"),
        ("r-10-VM", "vpc"),
    ]
    ports = [nic.port for r in topology.routers for nic in r.nics] + [
        vm.port for vm in topology.vms
    ]
    assert len(ports) == len(set(ports)) and all(len(p) <= 15 for p in ports)


def test_too_many_routers_for_the_public_range(config: LabConfig) -> None:
    import dataclasses
    import ipaddress

    small = dataclasses.replace(config, public_cidr=ipaddress.IPv4Network("10.254.2.0/26"))
    with pytest.raises(ConfigError, match="public_cidr"):
        build_topology(small, 60)


def test_iptables_rules_match_the_goldens(topology: Topology) -> None:
    vpc = shapes(
        iptables_lines(router_rules(topology.router("r-4-VM"), topology)),
        {"eth3": "eth2", "0x67": "0x66"},
    )
    assert vpc == shapes(iptables_lines((GOLDEN / "vpc-router" / "iptables.txt").read_text()))
    isolated = shapes(iptables_lines(router_rules(topology.router("r-5-VM"), topology)))
    golden = shapes(iptables_lines((GOLDEN / "isolated-router" / "iptables.txt").read_text()))
    assert isolated - {"-A FW_EGRESS_RULES -j ACCEPT"} == golden


def test_redundant_routers_leave_default_routes_to_keepalived(topology: Topology) -> None:
    assert "route replace default via 10.254.2.1 dev eth2" in router_commands(
        topology.router("r-5-VM"), topology
    )
    redundant = router_commands(topology.router("r-6-VM"), topology)
    assert not [c for c in redundant if "default" in c] and "link set dev eth2 up" not in redundant


def test_vr_files(topology: Topology) -> None:
    assert cmdline(topology.router("r-4-VM"), topology)["cmd_line"] == {
        "type": "vpcrouter",
        "name": "r-4-VM",
        "domain": "cs2cloud.internal",
        "dns1": "10.254.2.1",
        "redundant_router": "false",
        "eth0ip": "169.254.3.10",
        "eth0mask": "255.255.0.0",
        "vpccidr": "10.1.0.0/16",
    }
    line = cmdline(topology.router("r-6-VM"), topology)["cmd_line"]
    assert isinstance(line, dict) and (line["type"], line["redundant_router"]) == ("router", "true")
    assert (
        dhcphosts(topology.router("r-5-VM"), topology)
        == "02:01:00:0c:00:00,10.1.3.100,i-2-12-VM,infinite\n"
    )
    assert "102\tTable_eth2" in rt_tables(topology.router("r-5-VM"))


@pytest.fixture
def api_server(config: LabConfig, topology: Topology) -> Iterator[str]:
    def records() -> Records:
        return Records(
            "vrt",
            config.to_dict(),
            topology,
            lambda name: {"r-6-VM": "PRIMARY"}.get(name, "BACKUP"),
        )

    server = LabApiServer(
        ("127.0.0.1", free_port()),
        api_key="key",
        secret_key="secret",
        records=records,
        log=lambda text: None,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/client/api"
    server.shutdown()
    server.server_close()


def call(url: str, secret: str = "secret", **params: str) -> tuple[int, dict[str, Any]]:
    query = signed_query({"apiKey": "key", "response": "json", **params}, secret)
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=5) as response:
            return int(response.status), json.load(response)
    except urllib.error.HTTPError as error:
        return int(error.code), json.load(error)


def test_api_lists_in_cloudstack_shapes(api_server: str) -> None:
    status, body = call(api_server, command="listRouters", listall="true")
    routers = body["listroutersresponse"]["router"]
    assert status == 200 and body["listroutersresponse"]["count"] == 4
    assert [(r["name"], r["redundantstate"], r["isredundantrouter"]) for r in routers] == [
        ("r-4-VM", "UNKNOWN", False),
        ("r-5-VM", "UNKNOWN", False),
        ("r-6-VM", "PRIMARY", True),
        ("r-7-VM", "BACKUP", True),
    ]
    assert {n["traffictype"] for n in routers[0]["nic"]} == {"Control", "Public", "Guest"}
    host = call(api_server, command="listHosts", id=routers[0]["hostid"])[1]["listhostsresponse"]
    assert (
        host["host"][0] | {"type": "Routing", "hypervisor": "KVM", "state": "Up"} == host["host"][0]
    )
    vpc = call(api_server, command="listVPCs")[1]["listvpcsresponse"]["vpc"][0]
    in_vpc = call(api_server, command="listRouters", vpcid=vpc["id"])[1]["listroutersresponse"]
    assert [r["name"] for r in in_vpc["router"]] == ["r-4-VM"]
    network = routers[2]["guestnetworkid"]
    pair = call(api_server, command="listRouters", networkid=network)[1]["listroutersresponse"]
    assert pair["count"] == 2
    assert (
        call(api_server, command="listNetworks", vpcid=vpc["id"])[1]["listnetworksresponse"][
            "count"
        ]
        == 2
    )
    ips = call(api_server, command="listPublicIpAddresses")[1]["listpublicipaddressesresponse"]
    assert ips["count"] == 3 and all(ip["issourcenat"] for ip in ips["publicipaddress"])
    vms = call(api_server, command="listVirtualMachines", networkid=network)[1]
    assert [vm["name"] for vm in vms["listvirtualmachinesresponse"]["virtualmachine"]] == [
        "i-2-13-VM"
    ]
    page = call(api_server, command="listRouters", page="2", pagesize="3")[1]["listroutersresponse"]
    assert page["count"] == 4 and [r["name"] for r in page["router"]] == ["r-7-VM"]


def test_api_rejects_bad_signatures_and_unknown_commands(api_server: str) -> None:
    assert call(api_server, secret="wrong", command="listZones") == (
        401,
        {
            "errorresponse": {
                "uuidList": [],
                "errorcode": 401,
                "errortext": "unable to verify user credentials and/or request signature",
            }
        },
    )
    status, body = call(api_server, command="deployVirtualMachine")
    assert status == 432 and "does not exist" in body["errorresponse"]["errortext"]
    assert call(api_server, command="listRouters", name="nope") == (
        200,
        {"listroutersresponse": {}},
    )


def descriptor(tmp_path: Path, **lab: Any) -> Path:
    data = yaml.safe_load(LOCAL_YAML.read_text())
    data["lab"].update(lab)
    path = tmp_path / "lab.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_api_port_must_match_the_api_url(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("lab", "--env", str(descriptor(tmp_path, api_port=18097)), "status")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "management.api_url uses port 18096, lab.api_port is 18097" in result.err
    after_verb = cli("lab", "status", "--env", str(descriptor(tmp_path, api_port=18097)))
    assert (after_verb.code, after_verb.err) == (result.code, result.err)


def test_a_cloudstack_environment_is_not_a_lab(cli: CliRunner) -> None:
    result = cli("lab", "--env", "environments/simulator.yaml", "status")
    assert result.code == 2 and "not an embedded lab" in result.err


def test_missing_tool_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns, "find_tool", lambda name: None if name == "keepalived" else "/x")
    with pytest.raises(ConfigError) as caught:
        netns.require_tools()
    assert caught.value.one_line() == (
        "keepalived is not installed (the lab needs it) (apt-get install keepalived)"
    )


def test_state_file_is_rewritten_whole(tmp_path: Path) -> None:
    state = LabState(tmp_path / "state.json")
    state.record("namespaces", "a", "b", "a")
    state.record_process("r-4-VM/sshd", {"pid": 1, "start": 2})
    state.forget("namespaces", "a")
    again = LabState.load(tmp_path / "state.json")
    assert again.data["namespaces"] == ["b"] and again.processes()["r-4-VM/sshd"]["pid"] == 1
    (tmp_path / "state.json").write_text("{broken")
    with pytest.raises(ConfigError, match="cannot read the lab state"):
        LabState.load(tmp_path / "state.json")


def test_lab_needs_root(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    result = cli("lab", "up")
    assert result.code == 2
    assert result.err == (
        "vrtest: error: the embedded lab needs root (namespaces, mounts, iptables) "
        "(run it as root, e.g. sudo vrtest lab up)\n"
    )


def test_routers_out_of_range(cli: CliRunner) -> None:
    result = cli("lab", "up", "--routers", "500")
    assert result.code == 2 and "--routers 500 is out of range" in result.err


def test_preflight_refuses_a_taken_port(config: LabConfig) -> None:
    import dataclasses
    import ipaddress
    import socket

    from vrtest.lab.up import preflight

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = dataclasses.replace(
            config,
            management_cidr=ipaddress.IPv4Network("10.199.77.0/24"),
            api_port=taken.getsockname()[1],
        )
        if netns.find_tool("ip") is None:
            pytest.skip("needs iproute2")
        with pytest.raises(ConfigError, match="in use"):
            preflight(busy)
