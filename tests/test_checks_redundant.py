"""Redundant pairs: roles from checkrouter.sh, the PRIMARY's tables, re-polling an election.

Router state is the recorded redundant VPC pair (``golden/vr-outputs/redundant-vpc-*``: what
main's scripts leave after keepalived's election) and the recorded checkrouter.sh outputs.
"""

from __future__ import annotations

from dataclasses import replace

from tests.test_checks_verdicts import BACKUP, PRIMARY, golden, state, verdicts
from vrtest.checks import commands
from vrtest.checks.base import RouterOutputs
from vrtest.checks.election import Polling, settle, unsettled
from vrtest.checks.registry import select_checks
from vrtest.checks.runner import commands_for, evaluate_all
from vrtest.results import Outcome

FAULT = golden("checkrouter/fault.txt")
BACKUP_TEXT = golden("checkrouter/backup.txt")
PRIMARY_ROUTES = golden("vr-outputs/redundant-vpc-primary/ip_route_all.txt")


class FakeClock:
    """A clock that advances only when slept on."""

    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def polling(self, seconds: float = 6.0) -> Polling:
        return Polling(seconds=seconds, interval=1.0, sleep=self.sleep, clock=lambda: self.now)


def test_primary_needs_the_main_default_and_accepts_the_empty_per_nic_table() -> None:
    found = verdicts((PRIMARY, state("redundant-vpc-primary")), checks=["default-route"])
    assert found["default-route[r-6-VM]"] == (
        Outcome.PASSED, "PRIMARY: default via 172.16.0.1 dev eth1 in table(s) main; "
                        "Table_eth1: none (as CloudStack leaves it)")


def test_primary_without_the_main_default_fails() -> None:
    routes = PRIMARY_ROUTES.replace("default via 172.16.0.1 dev eth1 \n", "")
    outcome, message = verdicts((PRIMARY, state("redundant-vpc-primary", **{
        commands.ROUTES: routes})), checks=["default-route"])["default-route[r-6-VM]"]
    assert outcome is Outcome.FAILED
    assert message == ("r-6-VM: table main: no default via 172.16.0.1 dev eth1 "
                       "(default routes there: none)")


def test_primary_with_a_wrong_default_in_the_per_nic_table_fails() -> None:
    routes = PRIMARY_ROUTES + "default via 10.1.1.254 dev eth2 table Table_eth1 proto static\n"
    outcome, message = verdicts((PRIMARY, state("redundant-vpc-primary", **{
        commands.ROUTES: routes})), checks=["default-route"])["default-route[r-6-VM]"]
    assert outcome is Outcome.FAILED
    assert "table Table_eth1: default route not via 172.16.0.1 dev eth1: " in message
    assert "default via 10.1.1.254 dev eth2 table Table_eth1" in message


def test_backup_with_a_default_through_the_public_nic_in_its_table_fails() -> None:
    routes = (golden("vr-outputs/redundant-vpc-backup/ip_route_all.txt")
              + "default via 172.16.0.1 dev eth1 table Table_eth1 proto static\n")
    outcome, message = verdicts((BACKUP, state("redundant-vpc-backup", **{
        commands.ROUTES: routes})), checks=["default-route"])["default-route[r-7-VM]"]
    assert outcome is Outcome.FAILED
    assert "BACKUP has a default route through eth1: default via 172.16.0.1 dev eth1 " \
           "table Table_eth1" in message


def test_dnsmasq_and_password_server_follow_checkrouter_not_the_lagging_api() -> None:
    # CsRedundant.set_backup stops dnsmasq and the password server; the API still says PRIMARY
    lagging = replace(BACKUP, redundant_state="PRIMARY")
    bare = "1 /sbin/init\n2 /usr/sbin/sshd -D\n3 /usr/sbin/keepalived\n"
    configured = "/var/cache/cloud/passwords-10.1.1.1\n"
    found = verdicts((lagging, state("redundant-vpc-backup", **{
        commands.PROCESSES: bare, commands.CONFIGURED: configured})),
        checks=["dhcp-dns", "services"])
    assert found["dhcp-dns[r-7-VM]"][0] is Outcome.PASSED
    assert found["dhcp-dns[r-7-VM]"][1].startswith("dnsmasq not required on a BACKUP")
    assert found["services[r-7-VM]"] == (Outcome.PASSED, "running: sshd, keepalived")
    # and the reverse: checkrouter says PRIMARY, so both are required
    found = verdicts((replace(PRIMARY, redundant_state="BACKUP"), state(
        "redundant-vpc-primary", **{commands.PROCESSES: bare, commands.CONFIGURED: configured})),
        checks=["dhcp-dns", "services"])
    assert "dnsmasq is not running" in found["dhcp-dns[r-6-VM]"][1]
    assert "not running: passwd_server_ip.py" in found["services[r-6-VM]"][1]


def pair(primary_text: str, backup_text: str) -> dict[str, RouterOutputs]:
    return {
        "r-6-VM": RouterOutputs(PRIMARY, state("redundant-vpc-primary", **{
            commands.CHECKROUTER: primary_text})),
        "r-7-VM": RouterOutputs(BACKUP, state("redundant-vpc-backup", **{
            commands.CHECKROUTER: backup_text})),
    }


def test_unsettled_pairs_are_fault_or_no_primary() -> None:
    assert unsettled(pair(golden("vr-outputs/redundant-vpc-primary/checkrouter.txt"),
                          BACKUP_TEXT)) == []
    assert unsettled(pair(FAULT, BACKUP_TEXT)) == ["r-6-VM", "r-7-VM"]
    assert unsettled(pair(BACKUP_TEXT, BACKUP_TEXT)) == ["r-6-VM", "r-7-VM"]
    primary_text = golden("vr-outputs/redundant-vpc-primary/checkrouter.txt")
    assert unsettled(pair(primary_text, primary_text)) == ["r-6-VM", "r-7-VM"]  # converging


def test_an_election_that_settles_is_re_polled_and_passes_with_the_note() -> None:
    clock = FakeClock()
    settled = pair(golden("vr-outputs/redundant-vpc-primary/checkrouter.txt"), BACKUP_TEXT)
    polls: list[str] = []

    def collect(item: RouterOutputs) -> RouterOutputs:
        polls.append(item.router.name)
        return settled[item.router.name] if clock.now >= 2 else item

    outputs = settle(pair(BACKUP_TEXT, BACKUP_TEXT), collect, clock.polling())
    # settled at 2 s, confirmed by the poll at 3 s (two polls in a row agree)
    assert polls == ["r-6-VM", "r-7-VM"] * 3 and clock.now == 3.0
    results = {r.name: r for r in evaluate_all(outputs, select_checks(["redundant-state"]))}
    primary = results["redundant-state[r-6-VM]"]
    assert primary.outcome is Outcome.PASSED
    note = ("pair was electing: checkrouter.sh said BACKUP, re-polled 3 time(s) over 3.0 s "
            "(at most 6 s): settled, now PRIMARY")
    assert primary.evidence[0].note == note and note in primary.message


def test_a_pair_stuck_in_fault_fails_after_the_bounded_wait() -> None:
    clock = FakeClock()
    outputs = settle(pair(FAULT, BACKUP_TEXT), lambda item: item, clock.polling(seconds=3))
    assert clock.now == 3.0
    results = {r.name: r for r in evaluate_all(outputs, select_checks(["redundant-state"]))}
    fault = results["redundant-state[r-6-VM]"]
    assert fault.outcome is Outcome.FAILED
    assert "checkrouter.sh says FAULT" in fault.message
    assert "re-polled 3 time(s) over 3.0 s (at most 3 s): still electing, now FAULT" in (
        fault.evidence[0].note)


def test_a_settled_pair_is_not_polled() -> None:
    clock = FakeClock()
    outputs = pair(golden("vr-outputs/redundant-vpc-primary/checkrouter.txt"), BACKUP_TEXT)
    def collect(item: RouterOutputs) -> RouterOutputs:
        raise AssertionError(f"{item.router.name} polled again")

    assert settle(outputs, collect, clock.polling()) == outputs
    assert clock.now == 0.0


def test_a_poll_that_catches_the_new_primary_mid_switch_is_not_the_last() -> None:
    # set_primary brings eth1 up (checkrouter: PRIMARY) before it adds the default route
    clock = FakeClock()
    primary = golden("vr-outputs/redundant-vpc-primary/checkrouter.txt")
    no_route = PRIMARY_ROUTES.replace("default via 172.16.0.1 dev eth1 \n", "")
    mid_switch = pair(primary, BACKUP_TEXT)
    mid_switch["r-6-VM"] = RouterOutputs(PRIMARY, state("redundant-vpc-primary", **{
        commands.ROUTES: no_route}))
    done = pair(primary, BACKUP_TEXT)

    def collect(item: RouterOutputs) -> RouterOutputs:
        return (mid_switch if clock.now < 2 else done)[item.router.name]

    outputs = settle(pair(BACKUP_TEXT, BACKUP_TEXT), collect, clock.polling())
    results = {r.name: r for r in evaluate_all(outputs, select_checks(["default-route"]))}
    assert clock.now == 2.0  # the 1 s poll looked settled; the 2 s poll confirmed it
    assert results["default-route[r-6-VM]"].outcome is Outcome.PASSED


def test_a_held_primary_lock_is_a_role_change_in_progress() -> None:
    held = BACKUP_TEXT + "role change in progress: /tmp/primary_lock held\n"
    outputs = pair(golden("vr-outputs/redundant-vpc-primary/checkrouter.txt"), BACKUP_TEXT)
    outputs["r-7-VM"] = RouterOutputs(BACKUP, state("redundant-vpc-backup", **{
        commands.ROLE_BEFORE: held}))
    assert unsettled(outputs) == ["r-6-VM", "r-7-VM"]
    clock = FakeClock()
    settled_out = settle(outputs, lambda item: item, clock.polling(seconds=2))
    results = {r.name: r for r in evaluate_all(settled_out, select_checks(["redundant-state"]))}
    assert results["redundant-state[r-7-VM]"].outcome is Outcome.FAILED
    assert "role change in progress: /tmp/primary_lock held" in (
        results["redundant-state[r-7-VM]"].message)
    assert results["redundant-state[r-6-VM]"].outcome is Outcome.PASSED


def test_a_role_that_changes_while_the_state_is_read_is_unsettled() -> None:
    # the lab's keepalived hook and CsRedundant both bring the nic up before the routes
    outputs = pair(golden("vr-outputs/redundant-vpc-primary/checkrouter.txt"), BACKUP_TEXT)
    outputs["r-6-VM"] = RouterOutputs(PRIMARY, state("redundant-vpc-primary", **{
        commands.ROLE_BEFORE: BACKUP_TEXT}))
    assert unsettled(outputs) == ["r-6-VM", "r-7-VM"]
    [result] = [r for r in evaluate_all(outputs, select_checks(["redundant-state"]))
                if r.name == "redundant-state[r-6-VM]"]
    assert "role changed while it was read: checkrouter.sh said BACKUP, then PRIMARY" in (
        result.message)


def test_the_role_is_read_before_and_after_the_state_commands() -> None:
    names = commands_for(PRIMARY, select_checks(None))
    assert names[0] == commands.ROLE_BEFORE and names[-1] == commands.CHECKROUTER
    assert commands.ROUTES in names[1:-1] and commands.PROCESSES in names[1:-1]
    assert commands.ROLE_BEFORE not in commands_for(replace(PRIMARY, redundant=False),
                                                    select_checks(None))
