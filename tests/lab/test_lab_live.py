"""The live embedded lab: real namespaces, sshd, iptables and keepalived (root only).

One lab per module (``live_lab``); the tests run in file order and the last one
brings the lab down and checks that nothing is left.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import paramiko
import pytest

from tests.conftest import CliRunner
from tests.lab.conftest import GOLDEN, LiveLab, running
from tests.lab.shapes import iptables_lines, route_lines, shapes
from vrtest.cloudstack.client import CloudStackClient
from vrtest.cloudstack.discovery import discover_routers
from vrtest.cloudstack.signing import signed_query

pytestmark = pytest.mark.lab

ROUTERS = {
    "r-4-VM": "169.254.3.10",
    "r-5-VM": "169.254.3.11",
    "r-6-VM": "169.254.3.12",
    "r-7-VM": "169.254.3.13",
}
VPC_AS_GOLDEN = {"eth3": "eth2", "0x67": "0x66", "Table_eth2": "Table_eth2"}


class Shells:
    """SSH sessions to the host and, through it, to every router (opened once)."""

    def __init__(self, lab: LiveLab) -> None:
        self.lab = lab
        self.host = lab.host_client()
        self.key = lab.cloud_key(self.host)
        self.routers: dict[str, paramiko.SSHClient] = {}

    def run(self, router: str, command: str) -> str:
        """Run ``command`` on ``router`` and return stdout (reconnecting if needed)."""
        client = self.routers.get(router)
        transport = client.get_transport() if client else None
        if client is None or transport is None or not transport.is_active():
            client = self.lab.router_client(self.host, ROUTERS[router], self.key)
            self.routers[router] = client
        _, out, _ = client.exec_command(command, timeout=15)
        return str(out.read().decode())

    def role(self, router: str) -> str:
        """What checkrouter.sh prints, without the ``Status:`` label."""
        return self.run(router, "/opt/cloud/bin/checkrouter.sh").strip().removeprefix("Status: ")

    def close(self) -> None:
        for client in self.routers.values():
            client.close()
        self.host.close()


@pytest.fixture(scope="module")
def shells(live_lab: LiveLab) -> Iterator[Shells]:
    sessions = Shells(live_lab)
    yield sessions
    sessions.close()


def api(lab: LiveLab, secret: str | None = None, **params: str) -> tuple[int, dict[str, Any]]:
    query = signed_query(
        {"apiKey": lab.config.api_key, "response": "json", **params},
        secret if secret is not None else lab.config.secret_key,
    )
    url = f"http://127.0.0.1:{lab.config.api_port}/client/api?{query}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), json.load(response)
    except urllib.error.HTTPError as error:
        return int(error.code), json.load(error)


def test_ssh_to_host_and_through_it_to_every_router(shells: Shells) -> None:
    _, out, _ = shells.host.exec_command("hostname; ip -br -4 addr show dev cloud0")
    assert out.read().decode().split()[:4] == ["kvm-host-1", "cloud0", "UP", "169.254.0.1/16"]
    for name in ROUTERS:
        assert shells.run(name, "hostname").strip() == name


def test_nothing_routes_out_of_the_lab(live_lab: LiveLab) -> None:
    from vrtest.lab.netns import run

    for name in ("host", "pub"):
        netns = f"{live_lab.config.prefix}-{name}"
        assert run(["ip", "-n", netns, "-4", "route", "show", "default"]).stdout.strip() == ""
    root_links = [
        line.split(": ")[1].split("@")[0]
        for line in run(["ip", "-o", "link", "show"]).stdout.splitlines()
    ]
    assert [link for link in root_links if link.startswith(f"{live_lab.config.prefix}-")] == [
        f"{live_lab.config.prefix}-mgmt"
    ]


def test_routers_accept_only_the_lab_key(live_lab: LiveLab, shells: Shells) -> None:
    transport = shells.host.get_transport()
    assert transport is not None
    channel = transport.open_channel("direct-tcpip", (ROUTERS["r-5-VM"], 3922), ("127.0.0.1", 0))
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    with pytest.raises(paramiko.AuthenticationException):
        client.connect(
            ROUTERS["r-5-VM"],
            3922,
            "root",
            password=live_lab.config.host_password,
            sock=channel,
            allow_agent=False,
            look_for_keys=False,
        )


def test_vpc_router_matches_the_golden_structure(shells: Shells) -> None:
    golden = GOLDEN / "vpc-router"
    routes = route_lines(shells.run("r-4-VM", "ip route show table all"))
    assert shapes(routes, VPC_AS_GOLDEN) == shapes(
        route_lines((golden / "ip_route_all.txt").read_text())
    )
    rules = shells.run("r-4-VM", "ip rule").splitlines()
    assert shapes(rules, VPC_AS_GOLDEN) == shapes((golden / "ip_rule.txt").read_text().splitlines())
    saved = iptables_lines(shells.run("r-4-VM", "iptables-save"))
    assert shapes(saved, VPC_AS_GOLDEN) == shapes(
        iptables_lines((golden / "iptables.txt").read_text())
    )
    assert "default via 10.254.2.1 dev eth1" in shells.run("r-4-VM", "ip -4 route list 0/0")


def test_isolated_router_matches_the_golden_structure(shells: Shells) -> None:
    golden = GOLDEN / "isolated-router"
    routes = route_lines(shells.run("r-5-VM", "ip route show table all"))
    assert shapes(routes) == shapes(route_lines((golden / "ip_route_all.txt").read_text()))
    rules = shells.run("r-5-VM", "ip rule").splitlines()
    assert shapes(rules) == shapes((golden / "ip_rule.txt").read_text().splitlines())
    saved = shapes(iptables_lines(shells.run("r-5-VM", "iptables-save")))
    # the lab's isolated networks allow egress (an offering's default), so guests reach "out"
    assert saved - {"-A FW_EGRESS_RULES -j ACCEPT"} == shapes(
        iptables_lines((golden / "iptables.txt").read_text())
    )


def test_redundant_pair_has_exactly_one_primary(shells: Shells) -> None:
    roles = {name: shells.role(name) for name in ("r-6-VM", "r-7-VM")}
    assert sorted(roles.values()) == ["BACKUP", "PRIMARY"]
    primary = next(name for name, role in roles.items() if role == "PRIMARY")
    backup = next(name for name, role in roles.items() if role == "BACKUP")
    assert "10.1.4.1/24" in shells.run(primary, "ip -br -4 addr show dev eth0")
    assert "UP" in shells.run(primary, "ip -br link show dev eth2").split()
    assert "DOWN" in shells.run(backup, "ip -br link show dev eth2").split()
    assert not [
        line
        for line in route_lines(shells.run(backup, "ip route show table all"))
        if line.startswith("default")
    ]
    golden = (GOLDEN / "redundant-vpc-backup" / "checkrouter.txt").read_text().strip()
    assert f"Status: {roles[backup]}" == golden


def test_a_late_keepalived_hook_does_not_undo_the_election(shells: Shells) -> None:
    """keepalived may run a stale "backup" hook after the "primary" one: the VIP decides."""
    roles = {name: shells.role(name) for name in ("r-6-VM", "r-7-VM")}
    primary = next(name for name, role in roles.items() if role == "PRIMARY")
    backup = next(name for name, role in roles.items() if role == "BACKUP")
    shells.run(primary, "/opt/cloud/bin/lab_transition.sh backup")
    shells.run(backup, "/opt/cloud/bin/lab_transition.sh primary")
    assert "UP" in shells.run(primary, "ip -br link show dev eth2").split()
    assert "DOWN" in shells.run(backup, "ip -br link show dev eth2").split()
    assert {name: shells.role(name) for name in roles} == roles


def test_checkrouter_decides_a_vpc_router_by_eth1(
    cli: CliRunner, live_lab: LiveLab, shells: Shells
) -> None:
    assert shells.role("r-4-VM") == "FAULT"  # no keepalived on a non-redundant router
    shells.run("r-4-VM", "echo 1 > /run/keepalived.pid")  # a live PID stands in for keepalived
    try:
        assert shells.role("r-4-VM") == "PRIMARY"
        shells.run("r-4-VM", "ip link set dev eth1 down")
        assert shells.role("r-4-VM") == "BACKUP"
    finally:
        shells.run("r-4-VM", "ip link set dev eth1 up; rm -f /run/keepalived.pid")
        lab_cli(cli, live_lab, "repair", "r-4-VM")
    assert shells.run("r-4-VM", "ip -4 route list 0/0").strip() == "default via 10.254.2.1 dev eth1"


def test_vr_files_are_in_the_router_view_only(live_lab: LiveLab, shells: Shells) -> None:
    cmdline = json.loads(shells.run("r-4-VM", "cat /etc/cloudstack/cmdline.json"))
    assert cmdline["cmd_line"]["type"] == "vpcrouter"
    assert (
        json.loads(shells.run("r-6-VM", "cat /etc/cloudstack/cmdline.json"))["cmd_line"][
            "redundant_router"
        ]
        == "true"
    )
    assert shells.run("r-5-VM", "cat /etc/dhcphosts.txt").strip().endswith(",i-2-12-VM,infinite")
    assert "vrrp_instance" in shells.run("r-7-VM", "cat /etc/keepalived/keepalived.conf")
    from pathlib import Path

    assert not Path("/etc/cloudstack").exists() and not Path("/opt/cloud").exists()


def test_api_with_correct_and_wrong_signature(live_lab: LiveLab, shells: Shells) -> None:
    status, body = api(live_lab, command="listRouters", listall="true")
    assert status == 200 and body["listroutersresponse"]["count"] == 4
    status, body = api(live_lab, secret="not-the-secret", command="listRouters")
    assert status == 401
    assert body == {
        "errorresponse": {
            "uuidList": [],
            "errorcode": 401,
            "errortext": "unable to verify user credentials and/or request signature",
        }
    }
    status, body = api(live_lab, command="listRouters", name="r-99-VM")
    assert (status, body) == (200, {"listroutersresponse": {}})


def test_discovery_sees_the_lab_as_a_zone(live_lab: LiveLab, shells: Shells) -> None:
    client = CloudStackClient(
        f"http://127.0.0.1:{live_lab.config.api_port}/client/api",
        live_lab.config.api_key,
        live_lab.config.secret_key,
    )
    routers = {router.name: router for router in discover_routers(client)}
    assert sorted(routers) == sorted(ROUTERS)
    assert (
        routers["r-4-VM"].vpc_name == "vpc-1" and routers["r-4-VM"].public_gateway == "10.254.2.1"
    )
    for name, router in routers.items():
        assert router.host_address == live_lab.config.host_address
        assert router.linklocal_ip == ROUTERS[name]
    for name in ("r-6-VM", "r-7-VM"):
        assert routers[name].redundant_state == shells.role(name)


def test_status_json_and_up_twice(cli: CliRunner, live_lab: LiveLab) -> None:
    before = cli("lab", "--env", str(live_lab.descriptor), "status", "--format", "json")
    assert before.code == 0, before.err
    status = json.loads(before.out)
    assert [r["name"] for r in status["routers"]] == list(ROUTERS)
    assert all(p["alive"] for r in status["routers"] for p in r["processes"].values())
    again = cli("lab", "--env", str(live_lab.descriptor), "up")
    assert again.code == 0 and "already up" in again.err
    after = json.loads(
        cli("lab", "--env", str(live_lab.descriptor), "status", "--format", "json").out
    )
    # the same routers and the same daemons (PIDs): nothing was rebuilt
    assert [(r["name"], r["processes"]) for r in after["routers"]] == [
        (r["name"], r["processes"]) for r in status["routers"]
    ]


def lab_cli(cli: CliRunner, lab: LiveLab, *args: str) -> str:
    result = cli("lab", "--env", str(lab.descriptor), *args)
    assert result.code == 0, result.err
    return result.out


def guest_reaches_internet(lab: LiveLab, vm: str) -> bool:
    """A TCP connection from guest VM ``vm`` to the public gateway's 8.8.8.8 (refused = reached)."""
    from vrtest.lab.netns import run

    code = (
        "import socket,sys\ns=socket.socket();s.settimeout(1.5)\n"
        "try:\n s.connect(('8.8.8.8',9))\nexcept ConnectionRefusedError:\n sys.exit(0)\n"
        "except OSError:\n sys.exit(1)\n"
    )
    argv = ["ip", "netns", "exec", f"{lab.config.prefix}-{vm}", "python3", "-c", code]
    return run(argv, check=False).returncode == 0


def test_default_route_fault_is_the_2015_regression(
    cli: CliRunner, live_lab: LiveLab, shells: Shells
) -> None:
    assert guest_reaches_internet(live_lab, "i-2-10-VM")
    lab_cli(cli, live_lab, "break", "r-4-VM", "default-route")
    assert not [
        line
        for line in route_lines(shells.run("r-4-VM", "ip route show table all"))
        if line.startswith("default")
    ]
    assert not guest_reaches_internet(live_lab, "i-2-10-VM")
    lab_cli(cli, live_lab, "repair", "r-4-VM")
    assert shells.run("r-4-VM", "ip -4 route list 0/0").strip() == "default via 10.254.2.1 dev eth1"
    assert guest_reaches_internet(live_lab, "i-2-10-VM")


def test_iptables_policy_fault_and_repair(
    cli: CliRunner, live_lab: LiveLab, shells: Shells
) -> None:
    lab_cli(cli, live_lab, "break", "r-5-VM", "iptables-policy")
    assert "policy ACCEPT" in shells.run("r-5-VM", "iptables -L INPUT").splitlines()[0]
    assert "policy ACCEPT" in shells.run("r-5-VM", "iptables -L FORWARD").splitlines()[0]
    status = json.loads(lab_cli(cli, live_lab, "status", "--format", "json"))
    assert status["routers"][1]["faults"] == ["iptables-policy"]
    lab_cli(cli, live_lab, "repair", "r-5-VM")
    assert shells.run("r-5-VM", "iptables -L INPUT").count("DROP") == 1


def test_split_brain_makes_two_primaries_and_repair_one(
    cli: CliRunner, live_lab: LiveLab, shells: Shells
) -> None:
    lab_cli(cli, live_lab, "break", "r-6-VM", "split-brain")
    assert [shells.role("r-6-VM"), shells.role("r-7-VM")] == ["PRIMARY", "PRIMARY"]
    _, body = api(live_lab, command="listRouters", networkid=_redundant_network(live_lab))
    assert [r["redundantstate"] for r in body["listroutersresponse"]["router"]] == ["PRIMARY"] * 2
    lab_cli(cli, live_lab, "repair", "r-7-VM")
    assert sorted([shells.role("r-6-VM"), shells.role("r-7-VM")]) == ["BACKUP", "PRIMARY"]


def _redundant_network(lab: LiveLab) -> str:
    _, body = api(lab, command="listRouters", name="r-6-VM")
    return str(body["listroutersresponse"]["router"][0]["guestnetworkid"])


def test_keepalived_down_is_a_fault_and_the_peer_takes_over(
    cli: CliRunner, live_lab: LiveLab, shells: Shells
) -> None:
    primary = "r-6-VM" if shells.role("r-6-VM") == "PRIMARY" else "r-7-VM"
    peer = "r-7-VM" if primary == "r-6-VM" else "r-6-VM"
    lab_cli(cli, live_lab, "break", primary, "keepalived-down")
    assert shells.role(primary) == "FAULT"
    _, body = api(live_lab, command="listRouters", name=primary)
    assert body["listroutersresponse"]["router"][0]["redundantstate"] == "FAULT"
    import time

    deadline = time.monotonic() + 10
    while shells.role(peer) != "PRIMARY" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert shells.role(peer) == "PRIMARY"
    lab_cli(cli, live_lab, "repair", primary)
    assert sorted([shells.role("r-6-VM"), shells.role("r-7-VM")]) == ["BACKUP", "PRIMARY"]


def test_vr_sshd_down_and_repair(cli: CliRunner, live_lab: LiveLab, shells: Shells) -> None:
    lab_cli(cli, live_lab, "break", "r-5-VM", "vr-sshd-down")
    with pytest.raises(paramiko.ChannelException):
        live_lab.router_client(shells.host, ROUTERS["r-5-VM"], shells.key)
    lab_cli(cli, live_lab, "repair", "r-5-VM")
    shells.routers.pop("r-5-VM", None)
    assert shells.run("r-5-VM", "hostname").strip() == "r-5-VM"


def test_down_leaves_no_namespace_link_mount_or_process(
    cli: CliRunner, live_lab: LiveLab, shells: Shells
) -> None:
    from vrtest.lab.state import LabState

    state = LabState.load(live_lab.config.lab_dir / "state.json")
    namespaces = list(state.data["namespaces"])
    pids = [record["pid"] for record in state.processes().values()]
    shells.close()
    assert "removed" in lab_cli(cli, live_lab, "down")
    assert_nothing_left(live_lab, namespaces, pids)
    assert "not up" in lab_cli(cli, live_lab, "down")


def assert_nothing_left(lab: LiveLab, namespaces: list[str], pids: list[int]) -> None:
    """No namespace, root-side link, mount, process or state directory of the lab remains."""
    from pathlib import Path

    from vrtest.lab.netns import run

    prefix = lab.config.prefix
    assert namespaces and not [n for n in namespaces if Path(f"/run/netns/{n}").exists()]
    links = run(["ip", "-o", "link", "show"]).stdout
    assert f"{prefix}-" not in links
    assert str(lab.config.lab_dir) not in Path("/proc/self/mountinfo").read_text()
    assert pids and not [pid for pid in pids if running(pid)]
    assert not lab.config.lab_dir.exists()
