"""Verdicts of each check on recorded router state (golden files), healthy and broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from vrtest.access.shells import CommandResult
from vrtest.checks import commands
from vrtest.checks.base import RouterOutputs
from vrtest.checks.registry import CHECK_NAMES, select_checks
from vrtest.checks.runner import evaluate_all
from vrtest.cloudstack.discovery import GuestVm, Router
from vrtest.errors import UsageError
from vrtest.results import Outcome

GOLDEN = Path(__file__).parent / "golden"
VPC = Router("r-4-VM", "id-4", "Running", "10.0.0.2", "169.254.3.10", vpc_id="vpc-1",
             network_ids=("net-tier1",), public_ip="172.16.0.10", public_gateway="172.16.0.1")
ISOLATED = Router("r-5-VM", "id-5", "Running", "10.0.0.2", "169.254.3.20",
                  network_ids=("net-iso",), public_ip="172.16.0.20",
                  public_gateway="172.16.0.1")
PRIMARY = Router("r-6-VM", "id-6", "Running", "10.0.0.2", "169.254.3.11", vpc_id="vpc-2",
                 redundant=True, redundant_state="PRIMARY", public_ip="172.16.0.10",
                 public_gateway="172.16.0.1")
BACKUP = Router("r-7-VM", "id-7", "Running", "10.0.0.2", "169.254.3.12", vpc_id="vpc-2",
                redundant=True, redundant_state="BACKUP", public_ip="172.16.0.10",
                public_gateway="172.16.0.1")


def golden(path: str) -> str:
    return (GOLDEN / path).read_text()


def state(name: str, **overrides: str) -> dict[str, CommandResult]:
    """Command results for the recorded router ``name`` (vr-outputs + ip-json goldens)."""
    texts = {commands.ROUTES: golden(f"ip-json/{name}.route.json"),
             commands.INTERFACES: golden(f"ip-json/{name}.addr.json"),
             commands.IPTABLES: golden(f"vr-outputs/{name.removesuffix('-no-default')}"
                                       "/iptables.txt"),
             commands.PROCESSES: golden("files/processes.txt"),
             commands.DHCPHOSTS: golden("files/dhcphosts.txt"),
             commands.CONFIGURED: "", commands.REMOTE_ACCESS_VPN: "", commands.IPSEC: ""}
    checkrouter = GOLDEN / "vr-outputs" / name / "checkrouter.txt"
    if checkrouter.exists():
        texts[commands.CHECKROUTER] = checkrouter.read_text()
    texts.update({command: text for command, text in overrides.items()})
    return {command: CommandResult(command, 0, text) for command, text in texts.items()}


def verdicts(*routers: tuple[Router, dict[str, CommandResult]], checks: list[str] | None = None,
             vms: dict[str, list[GuestVm]] | None = None) -> dict[str, tuple[Outcome, str]]:
    outputs = {router.name: RouterOutputs(router, results) for router, results in routers}
    results = evaluate_all(outputs, select_checks(checks), vms_by_network=vms,
                           vm_note="listVirtualMachines is not available")
    return {result.name: (result.outcome, result.message) for result in results}


def test_healthy_vpc_router_passes_every_applicable_check() -> None:
    found = verdicts((VPC, state("vpc-router")))
    assert found["default-route[r-4-VM]"][0] is Outcome.PASSED
    assert found["iptables-policy[r-4-VM]"][0] is Outcome.PASSED
    assert found["redundant-state[r-4-VM]"] == (Outcome.SKIPPED, "not a redundant router")
    assert found["vpn[r-4-VM]"][0] is Outcome.SKIPPED
    assert found["dhcp-dns[r-4-VM]"][0] is Outcome.PASSED
    assert "VM entries not checked: listVirtualMachines" in found["dhcp-dns[r-4-VM]"][1]
    assert found["services[r-4-VM]"][0] is Outcome.PASSED


def test_2015_regression_vpc_router_without_default_route_fails() -> None:
    outcome, message = verdicts((VPC, state("vpc-router-no-default")),
                                checks=["default-route"])["default-route[r-4-VM]"]
    assert outcome is Outcome.FAILED
    assert "table main: no default via 172.16.0.1 dev eth1" in message
    assert "table Table_eth1: no default via 172.16.0.1 dev eth1" in message


def test_vpc_router_missing_only_the_per_nic_table_route_fails() -> None:
    text = golden("vr-outputs/vpc-router/ip_route_all.txt").replace(
        "default via 172.16.0.1 dev eth1 table Table_eth1 proto static \n", "")
    outcome, message = verdicts((VPC, state("vpc-router", **{commands.ROUTES: text})),
                                checks=["default-route"])["default-route[r-4-VM]"]
    assert outcome is Outcome.FAILED
    assert "Table_eth1" in message and "table main" not in message


def test_default_route_via_the_wrong_gateway_fails() -> None:
    router = Router(**{**VPC.__dict__, "public_gateway": "172.16.0.254"})
    outcome, message = verdicts((router, state("vpc-router")),
                                checks=["default-route"])["default-route[r-4-VM]"]
    assert outcome is Outcome.FAILED
    assert "default via 172.16.0.1 dev eth1" in message  # what was found is shown


def test_isolated_router_checks_table_eth2() -> None:
    found = verdicts((ISOLATED, state("isolated-router")), checks=["default-route"])
    assert found["default-route[r-5-VM]"] == (
        Outcome.PASSED, "default via 172.16.0.1 dev eth2 in table(s) main, Table_eth2")


def test_redundant_pair_primary_and_backup_pass() -> None:
    found = verdicts((PRIMARY, state("redundant-vpc-primary")),
                     (BACKUP, state("redundant-vpc-backup")),
                     checks=["default-route", "redundant-state", "iptables-policy"])
    assert {name: outcome for name, (outcome, _) in found.items()} == {
        name: Outcome.PASSED for name in found}
    assert "BACKUP: public nic eth1 down" in found["default-route[r-7-VM]"][1]
    assert found["redundant-state[r-6-VM]"][1] == "PRIMARY; pair r-6-VM=PRIMARY, r-7-VM=BACKUP"


def test_backup_with_public_nic_up_and_default_route_fails() -> None:
    found = verdicts((BACKUP, state("redundant-vpc-backup", **{
        commands.ROUTES: golden("ip-json/redundant-vpc-primary.route.json"),
        commands.INTERFACES: golden("ip-json/redundant-vpc-primary.addr.json")})),
        checks=["default-route"])
    outcome, message = found["default-route[r-7-VM]"]
    assert outcome is Outcome.FAILED
    assert "public nic eth1 is UP on a BACKUP" in message
    assert "default route through eth1" in message


def test_split_brain_fails_both_routers() -> None:
    primary_text = golden("checkrouter/master-4.6.txt")  # MASTER counts as PRIMARY
    backup_as_primary = Router(**{**BACKUP.__dict__, "redundant_state": "PRIMARY"})
    found = verdicts((PRIMARY, state("redundant-vpc-primary",
                                     **{commands.CHECKROUTER: primary_text})),
                     (backup_as_primary, state("redundant-vpc-primary", **{
                         commands.CHECKROUTER: primary_text})), checks=["redundant-state"])
    for name in ("r-6-VM", "r-7-VM"):
        outcome, message = found[f"redundant-state[{name}]"]
        assert outcome is Outcome.FAILED
        assert "split brain: 2 PRIMARY in the pair (r-6-VM, r-7-VM)" in message


def test_state_disagreeing_with_the_api_fails() -> None:
    stale = Router(**{**PRIMARY.__dict__, "redundant_state": "BACKUP"})
    outcome, message = verdicts((stale, state("redundant-vpc-primary")),
                                checks=["redundant-state"])["redundant-state[r-6-VM]"]
    assert outcome is Outcome.FAILED
    assert "API redundantstate is BACKUP but checkrouter.sh says PRIMARY" in message


def test_fault_state_fails_redundant_state_and_skips_default_route() -> None:
    found = verdicts((PRIMARY, state("redundant-vpc-primary", **{
        commands.CHECKROUTER: golden("checkrouter/fault.txt")})),
        checks=["redundant-state", "default-route"])
    assert found["redundant-state[r-6-VM]"][0] is Outcome.FAILED
    assert "checkrouter.sh says FAULT" in found["redundant-state[r-6-VM]"][1]
    assert found["default-route[r-6-VM]"][0] is Outcome.SKIPPED


@pytest.mark.parametrize("chain", ["INPUT", "FORWARD"])
def test_accept_policy_fails(chain: str) -> None:
    text = golden("vr-outputs/vpc-router/iptables.txt").replace(f":{chain} DROP",
                                                                f":{chain} ACCEPT")
    outcome, message = verdicts((VPC, state("vpc-router", **{commands.IPTABLES: text})),
                                checks=["iptables-policy"])["iptables-policy[r-4-VM]"]
    assert outcome is Outcome.FAILED
    assert f"{chain} policy is ACCEPT (expected DROP)" in message


def test_iptables_policy_passes_on_every_recorded_router() -> None:
    for router, name in ((VPC, "vpc-router"), (ISOLATED, "isolated-router"),
                         (PRIMARY, "redundant-vpc-primary"), (BACKUP, "redundant-vpc-backup")):
        found = verdicts((router, state(name)), checks=["iptables-policy"])
        assert found[f"iptables-policy[{router.name}]"][0] is Outcome.PASSED, name


def test_services_keepalived_missing_on_redundant_router() -> None:
    processes = golden("files/processes.txt")
    no_keepalived = "\n".join(line for line in processes.splitlines()
                              if "keepalived" not in line)
    outcome, message = verdicts((PRIMARY, state("redundant-vpc-primary", **{
        commands.PROCESSES: no_keepalived})), checks=["services"])["services[r-6-VM]"]
    assert outcome is Outcome.FAILED
    assert "not running: keepalived" in message


def test_services_password_server_and_conntrackd_when_configured() -> None:
    configured = "/etc/conntrackd/conntrackd.conf\n/var/cache/cloud/passwords-10.1.1.1\n"
    found = verdicts((PRIMARY, state("redundant-vpc-primary", **{commands.CONFIGURED: configured})),
                     checks=["services"])
    assert found["services[r-6-VM]"] == (
        Outcome.PASSED, "running: sshd, keepalived, conntrackd, passwd_server_ip.py")
    bare = "1 /sbin/init\n2 /usr/sbin/sshd -D\n3 /usr/sbin/keepalived\n"
    found = verdicts((PRIMARY, state("redundant-vpc-primary", **{
        commands.CONFIGURED: configured, commands.PROCESSES: bare})), checks=["services"])
    assert "not running: conntrackd, passwd_server_ip.py" in found["services[r-6-VM]"][1]


def test_dhcp_dns_checks_every_vm_from_the_api() -> None:
    vms = {"net-tier1": [GuestVm("vm-web-1", "net-tier1", "10.1.1.11", "02:00:4c:5f:00:01"),
                         GuestVm("vm-web-3", "net-tier1", "10.1.1.13", "02:00:4c:5f:00:09")]}
    outcome, message = verdicts((VPC, state("vpc-router")), checks=["dhcp-dns"],
                                vms=vms)["dhcp-dns[r-4-VM]"]
    assert outcome is Outcome.FAILED
    assert message == "r-4-VM: not in /etc/dhcphosts.txt: vm-web-3 (10.1.1.13)"


def test_dhcp_dns_dnsmasq_not_running_fails_except_on_backup() -> None:
    no_dnsmasq = "1 /sbin/init\n2 /usr/sbin/sshd -D\n"
    for router, expected in ((VPC, Outcome.FAILED), (BACKUP, Outcome.PASSED)):
        found = verdicts((router, state("vpc-router", **{commands.PROCESSES: no_dnsmasq})),
                         checks=["dhcp-dns"])
        assert found[f"dhcp-dns[{router.name}]"][0] is expected, router.name


def test_vpn_tunnels_checked_when_configured() -> None:
    configured = "/etc/ipsec.d/ipsec.vpn-10.2.2.1.conf\n/etc/ipsec.d/ipsec.vpn-10.4.4.1.conf\n"
    found = verdicts((VPC, state("vpc-router", **{
        commands.CONFIGURED: configured, commands.IPSEC: golden("ipsec/statusall-up.txt")})),
        checks=["vpn"])
    outcome, message = found["vpn[r-4-VM]"]
    assert outcome is Outcome.FAILED
    assert message == "r-4-VM: tunnel vpn-10.4.4.1 is CONNECTING"
    found = verdicts((VPC, state("vpc-router", **{
        commands.CONFIGURED: configured.splitlines()[0],
        commands.IPSEC: golden("ipsec/statusall-up.txt")})), checks=["vpn"])
    assert found["vpn[r-4-VM]"] == (Outcome.PASSED, "1 tunnel(s) up")


def test_unreachable_router_is_an_error_for_each_check_and_others_still_run() -> None:
    outputs = {"r-4-VM": RouterOutputs(VPC, state("vpc-router")),
               "r-5-VM": RouterOutputs(ISOLATED, error="router r-5-VM unreachable: refused")}
    results = evaluate_all(outputs, select_checks(None))
    by_router = {r.name: r.outcome for r in results}
    assert all(by_router[f"{c}[r-5-VM]"] is Outcome.ERROR for c in CHECK_NAMES)
    assert by_router["default-route[r-4-VM]"] is Outcome.PASSED


def test_evidence_names_the_command_and_router() -> None:
    outputs = {"r-4-VM": RouterOutputs(VPC, state("vpc-router-no-default"))}
    [result] = evaluate_all(outputs, select_checks(["default-route"]))
    [evidence] = result.evidence
    assert evidence.command == commands.ROUTES
    assert evidence.target == "r-4-VM"
    assert "throw 10.1.1.0/24 table Table_eth1" in evidence.output
    assert "default" not in evidence.output


def test_unknown_check_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown check default-routes"):
        select_checks(["default-routes"])


def test_api_state_refreshed_after_collection_is_what_is_compared() -> None:
    from vrtest.checks.runner import with_api_state

    stale = Router(**{**PRIMARY.__dict__, "redundant_state": "BACKUP"})  # before the election
    outputs = with_api_state({"r-6-VM": RouterOutputs(stale, state("redundant-vpc-primary"))},
                             [PRIMARY])
    assert outputs["r-6-VM"].router.redundant_state == "PRIMARY"
    results = evaluate_all(outputs, select_checks(["redundant-state"]))
    assert results[0].outcome is Outcome.PASSED
