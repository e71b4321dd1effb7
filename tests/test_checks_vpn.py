"""The vpn check decides "configured" from what CloudStack's scripts write, not from l2tp.conf.

``golden/vpn/remoteaccessvpn.json`` is the databag as CloudStack's own merge code
(``cs_remoteaccessvpn.merge`` + ``DataBag.save``) writes it: 172.16.0.10 enabled, 172.16.0.11
disabled before it was ever enabled (merge keeps such an entry with ``"create": false``).
The check's command runs for real on it (bash, grep), only its path pointed at the golden file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_cloudstack import FakeApi, serve
from tests.test_checks_verdicts import BACKUP, PRIMARY, VPC, golden, state
from vrtest.checks import commands
from vrtest.checks.base import RouterOutputs
from vrtest.checks.parsers.vpnconfig import remote_access_servers, site_to_site_connections
from vrtest.checks.registry import select_checks
from vrtest.checks.runner import evaluate_all
from vrtest.cloudstack.client import CloudStackClient
from vrtest.cloudstack.discovery import Router
from vrtest.cloudstack.vpns import ApiVpns, list_vpns
from vrtest.results import Outcome

BAG = Path(__file__).parent / "golden" / "vpn" / "remoteaccessvpn.json"
PROCESSES_WITH_XL2TPD = golden("files/processes.txt") + "4100 /usr/sbin/xl2tpd\n"


def vpn_verdict(router: Router, vpns: ApiVpns | None = None, vpn_note: str = "",
                **outputs: str) -> tuple[Outcome, str]:
    base = state("redundant-vpc-backup" if router is BACKUP or router.redundant_state == "BACKUP"
                 else "vpc-router", **outputs)
    [result] = evaluate_all({router.name: RouterOutputs(router, base)}, select_checks(["vpn"]),
                            vpns=vpns, vpn_note=vpn_note)
    return result.outcome, result.message


def bag_output(bag: Path = BAG) -> str:
    """What the check's command prints for ``bag`` (the real command, run by bash)."""
    command = commands.REMOTE_ACCESS_VPN.replace("/etc/cloudstack/remoteaccessvpn.json", str(bag))
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                          check=True).stdout


def test_the_bag_command_prints_no_preshared_key_and_names_the_enabled_server() -> None:
    output = bag_output()
    assert "psk" not in output and "preshared" not in output
    assert remote_access_servers(output) == ["172.16.0.10"]


def test_no_bag_means_no_remote_access(tmp_path: Path) -> None:
    assert bag_output(tmp_path / "missing.json") == ""
    assert remote_access_servers("") == []


def test_site_to_site_names_come_from_the_files_configure_py_writes() -> None:
    listing = "/etc/conntrackd/conntrackd.conf\n/etc/ipsec.d/ipsec.vpn-10.2.2.1.conf\n"
    assert site_to_site_connections(listing) == ["vpn-10.2.2.1"]


def test_template_l2tp_conf_alone_is_not_a_vpn() -> None:
    # what every router has: l2tp.conf from the template, an empty bag, no ipsec.vpn-*.conf
    outcome, message = vpn_verdict(VPC, **{commands.CONFIGURED: "",
                                           commands.REMOTE_ACCESS_VPN: ""})
    assert outcome is Outcome.SKIPPED and message.startswith("no site-to-site or remote-access")
    assert "/etc/ipsec.d/l2tp.conf" not in commands.CONFIGURED


def test_enabled_remote_access_needs_ipsec_and_xl2tpd() -> None:
    assert vpn_verdict(VPC, **{commands.REMOTE_ACCESS_VPN: bag_output(),
                               commands.IPSEC: golden("ipsec/status-none.txt")}) == (
        Outcome.FAILED, "r-4-VM: remote-access VPN enabled on 172.16.0.10 but xl2tpd is not "
                        "running")
    assert vpn_verdict(VPC, **{commands.REMOTE_ACCESS_VPN: bag_output(),
                               commands.PROCESSES: PROCESSES_WITH_XL2TPD,
                               commands.IPSEC: golden("ipsec/status-none.txt")}) == (
        Outcome.PASSED, "remote access on 172.16.0.10: ipsec and xl2tpd running")


def test_vpn_is_skipped_on_a_backup_by_checkrouter_even_if_the_api_lags() -> None:
    lagging = type(PRIMARY)(**{**BACKUP.__dict__, "redundant_state": "PRIMARY"})
    base = state("redundant-vpc-backup", **{commands.REMOTE_ACCESS_VPN: bag_output()})
    [result] = evaluate_all({"r-7-VM": RouterOutputs(lagging, base)}, select_checks(["vpn"]))
    outcome, message = result.outcome, result.message
    assert outcome is Outcome.SKIPPED
    assert message == "VPN runs on the PRIMARY of a redundant pair (this router is BACKUP)"


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi("key-123", "secret-456")
    fake.items = {
        "listVpnConnections": [
            {"id": "c1", "publicip": "172.16.0.10", "gateway": "10.2.2.1", "state": "Connected",
             "cidrlist": "10.2.0.0/16", "ipsecpsk": "s2s-test-psk"},
            {"id": "c2", "publicip": "172.16.0.10", "gateway": "10.4.4.1", "state": "Pending"},
            {"id": "c3", "publicip": "172.16.0.99", "gateway": "10.9.9.1",
             "state": "Disconnected"},
        ],
        "listRemoteAccessVpns": [
            {"id": "ra1", "publicip": "172.16.0.10", "state": "Running", "iprange": "10.1.2.2-8"},
            {"id": "ra2", "publicip": "172.16.0.99", "state": "Added"},
        ],
    }
    with serve(fake) as served:
        yield served


def test_list_vpns_keys_applied_connections_and_running_remote_access_by_public_ip(
        api: FakeApi) -> None:
    vpns, note = list_vpns(CloudStackClient(api.url, api.api_key, api.secret_key, timeout=5))
    assert note == "" and vpns is not None
    assert dict(vpns.site_to_site) == {"172.16.0.10": ("10.2.2.1",), "172.16.0.99": ("10.9.9.1",)}
    assert vpns.remote_access == frozenset({"172.16.0.10"})
    assert vpns.expected_for(VPC) == (["vpn-10.2.2.1"], ["172.16.0.10"])


def test_list_vpns_without_the_commands_says_why(api: FakeApi) -> None:
    api.items = {}
    vpns, note = list_vpns(CloudStackClient(api.url, api.api_key, api.secret_key, timeout=5))
    assert vpns is None
    assert note == "not compared with the API: listVpnConnections is not available"


API_VPNS = ApiVpns({"172.16.0.10": ("10.2.2.1",)}, frozenset({"172.16.0.10"}))


def test_a_vpn_the_api_lists_but_the_router_lacks_fails() -> None:
    # the 2015 kind of regression for VPNs: the API has the VPN, the router's scripts lost it
    assert vpn_verdict(VPC, API_VPNS) == (
        Outcome.FAILED,
        "r-4-VM: the API lists vpn-10.2.2.1 but there is no /etc/ipsec.d/ipsec.vpn-10.2.2.1.conf; "
        "the API lists a running remote-access VPN on 172.16.0.10 but remoteaccessvpn.json has "
        "no enabled entry for it")


def test_a_router_matching_the_api_passes_and_says_so() -> None:
    outcome, message = vpn_verdict(VPC, API_VPNS, **{
        commands.CONFIGURED: "/etc/ipsec.d/ipsec.vpn-10.2.2.1.conf\n",
        commands.REMOTE_ACCESS_VPN: bag_output(), commands.PROCESSES: PROCESSES_WITH_XL2TPD,
        commands.IPSEC: golden("ipsec/statusall-up.txt")})
    assert (outcome, message) == (
        Outcome.PASSED, "1 tunnel(s) up, remote access on 172.16.0.10: ipsec and xl2tpd "
                        "running (matches the API's VPN list)")


def test_without_the_api_list_the_skip_says_it_was_not_compared() -> None:
    outcome, message = vpn_verdict(VPC, None, "not compared with the API: listVpnConnections "
                                              "is not available")
    assert outcome is Outcome.SKIPPED
    assert message.endswith("(not compared with the API: listVpnConnections is not available)")
