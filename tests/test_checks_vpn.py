"""The vpn check decides "configured" from what CloudStack's scripts write, not from l2tp.conf.

``golden/vpn/remoteaccessvpn.json`` is the databag as CloudStack's own merge code
(``cs_remoteaccessvpn.merge`` + ``DataBag.save``) writes it: 172.16.0.10 enabled, 172.16.0.11
disabled before it was ever enabled (merge keeps such an entry with ``"create": false``).
The check's command runs for real on it (bash, grep), only its path pointed at the golden file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.test_checks_verdicts import BACKUP, PRIMARY, VPC, golden, state, verdicts
from vrtest.checks import commands
from vrtest.checks.parsers.vpnconfig import remote_access_servers, site_to_site_connections
from vrtest.results import Outcome

BAG = Path(__file__).parent / "golden" / "vpn" / "remoteaccessvpn.json"
PROCESSES_WITH_XL2TPD = golden("files/processes.txt") + "4100 /usr/sbin/xl2tpd\n"


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
    found = verdicts((VPC, state("vpc-router", **{commands.CONFIGURED: "",
                                                  commands.REMOTE_ACCESS_VPN: ""})),
                     checks=["vpn"])
    outcome, message = found["vpn[r-4-VM]"]
    assert outcome is Outcome.SKIPPED and message.startswith("no site-to-site or remote-access")
    assert "/etc/ipsec.d/l2tp.conf" not in commands.CONFIGURED


def test_enabled_remote_access_needs_ipsec_and_xl2tpd() -> None:
    found = verdicts((VPC, state("vpc-router", **{
        commands.REMOTE_ACCESS_VPN: bag_output(),
        commands.IPSEC: golden("ipsec/status-none.txt")})), checks=["vpn"])
    assert found["vpn[r-4-VM]"] == (
        Outcome.FAILED, "r-4-VM: remote-access VPN enabled on 172.16.0.10 but xl2tpd is not "
                        "running")
    found = verdicts((VPC, state("vpc-router", **{
        commands.REMOTE_ACCESS_VPN: bag_output(), commands.PROCESSES: PROCESSES_WITH_XL2TPD,
        commands.IPSEC: golden("ipsec/status-none.txt")})), checks=["vpn"])
    assert found["vpn[r-4-VM]"] == (
        Outcome.PASSED, "remote access on 172.16.0.10: ipsec and xl2tpd running")


def test_vpn_is_skipped_on_a_backup_by_checkrouter_even_if_the_api_lags() -> None:
    lagging = type(PRIMARY)(**{**BACKUP.__dict__, "redundant_state": "PRIMARY"})
    found = verdicts((lagging, state("redundant-vpc-backup", **{
        commands.REMOTE_ACCESS_VPN: bag_output()})), checks=["vpn"])
    outcome, message = found["vpn[r-7-VM]"]
    assert outcome is Outcome.SKIPPED
    assert message == "VPN runs on the PRIMARY of a redundant pair (this router is BACKUP)"
