"""Fast lane, no namespaces: scenarios, trees, state parsing and diff, check verdicts."""

from __future__ import annotations

import json
import marshal
import re
from pathlib import Path

import pytest

from tests.fastlane_helpers import SCENARIOS, TREE, copy_tree, git
from vrtest.environment import load_environment
from vrtest.errors import ConfigError, UsageError
from vrtest.fastlane.apply import boot_nics, boot_script
from vrtest.fastlane.backend import api_router, guest_vms
from vrtest.fastlane.compiled import compiled_tree
from vrtest.fastlane.ns import require_root
from vrtest.fastlane.scenario import list_scenarios, load_scenario, select_scenarios
from vrtest.fastlane.select import scenarios_for
from vrtest.fastlane.state import RouterState, diff_states, parse_capture
from vrtest.fastlane.tree import tree_at, vr_tree

REPO_SUITES = Path(__file__).resolve().parent.parent / "suites" / "fastlane"


def test_every_shipped_scenario_loads_with_real_databag_types() -> None:
    scenarios = list_scenarios(REPO_SUITES)
    assert {"vpc-2tier", "isolated", "redundant-vpc"} <= {s.name for s in scenarios}
    known = {"cmdline", "ips", "guestnetwork", "networkacl", "dhcpentry", "staticroutes",
             "site2sitevpn", "remoteaccessvpn", "vpnuserlist", "forwardrules", "staticnatrules",
             "loadbalancer", "firewallrules", "vmdata", "vmpassword"}
    for scenario in scenarios:
        for router in scenario.routers:
            assert router.boot["type"] == "cmdline"
        for step in scenario.steps:
            assert step.bag["type"] in known, (scenario.name, step.file_name)


def test_scenario_with_unknown_check_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "cmd_line.json").write_text(json.dumps({"type": "cmdline", "cmd_line": {}}))
    (bad / "scenario.yaml").write_text(
        "routers: [{name: r-1-VM, boot: cmd_line.json}]\nexpect: {r-1-VM: {pings: true}}\n")
    with pytest.raises(ConfigError, match="unknown check pings"):
        load_scenario(bad)


def test_databag_outside_the_scenario_directory_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "scenario.yaml").write_text("routers: [{name: r-1-VM, boot: ../../etc/passwd}]\n")
    with pytest.raises(ConfigError, match="must be a file in the scenario directory"):
        load_scenario(bad)


def test_unknown_scenario_name_lists_the_known_ones() -> None:
    with pytest.raises(UsageError) as exc:
        select_scenarios(["nope"], SCENARIOS)
    assert exc.value.one_line() == "unknown fast-lane scenario nope (known: mini-vpc)"


def test_checkout_without_systemvm_tree_says_what_is_supported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        vr_tree(tmp_path)
    assert re.search(r"no systemvm/debian tree.*\(supported: .*Python 3", exc.value.one_line())


def test_46_layout_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "systemvm/patches/debian/config/opt/cloud/bin").mkdir(parents=True)
    with pytest.raises(ConfigError) as exc:
        vr_tree(tmp_path)
    assert re.search(r"4\.6-era .*Python 2.*\(supported: ", exc.value.one_line())


def test_python2_scripts_are_refused(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    (tree / "opt/cloud/bin/update_config.py").write_text('print "hello"\n')
    with pytest.raises(ConfigError, match="not Python 3"):
        vr_tree(tmp_path)


def test_checkout_and_tree_both_resolve(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    assert vr_tree(tmp_path) == tree
    assert vr_tree(TREE) == TREE


def test_boot_configures_only_eth0_on_a_vpc_router_and_every_nic_elsewhere() -> None:
    vpc = {"type": "vpcrouter", "eth0ip": "169.254.3.7", "eth0mask": "255.255.0.0"}
    iso = {"type": "router", "eth0ip": "10.1.1.1", "eth0mask": "255.255.255.0",
           "eth1ip": "169.254.3.8", "eth1mask": "255.255.0.0", "eth2ip": "172.16.0.5",
           "eth2mask": "255.255.255.0"}
    assert boot_nics(vpc) == ["eth0"]
    assert boot_nics(iso) == ["eth0", "eth1", "eth2"]
    assert "ip addr add 169.254.3.7/16 dev eth0" in boot_script(vpc)
    assert "cp /etc/iptables/iptables-router /etc/iptables/rules.v4" in boot_script(
        {"type": "dhcpsrvr"})


def test_state_diff_reads_like_a_sentence() -> None:
    base = parse_capture("r-10-VM", "### vrtest-section route\ndefault via 172.16.0.1 dev eth1 \n"
                         "10.1.1.0/24 dev eth2 proto kernel\n### vrtest-section iptables\n-A X\n")
    pr = RouterState("r-10-VM", {"route": ("10.1.1.0/24 dev eth2 proto kernel",),
                                 "iptables": ("-A X", "-A Y")})
    assert diff_states("vpc-2tier", base, pr) == [
        "scenario vpc-2tier: default route via 172.16.0.1 dev eth1 removed",
        "scenario vpc-2tier: iptables -A Y added",
    ]
    assert diff_states("s", base, base) == []


def test_api_router_records_come_from_the_scenario_databags() -> None:
    scenarios = {s.name: s for s in list_scenarios(REPO_SUITES)}
    vpc = scenarios["vpc-2tier"]
    record = api_router(vpc, vpc.routers[0], "")
    assert (record.kind, record.public_ip, record.public_gateway) == ("vpc", "172.16.0.10",
                                                                      "172.16.0.1")
    assert record.network_ids == ("10.1.1.0/24", "10.1.2.0/24") and not record.redundant
    iso = scenarios["isolated"]
    record = api_router(iso, iso.routers[0], "")
    assert (record.kind, record.network_ids) == ("isolated", ("10.2.2.0/24",))
    vms = guest_vms(iso, ["10.2.2.0/24"])["10.2.2.0/24"]
    assert [(vm.name, vm.ip) for vm in vms] == [("web-1", "10.2.2.10"), ("db-1", "10.2.2.11")]
    peer = scenarios["vpc-s2s-vpn"].outside[0]
    assert (peer.name, peer.index) == ("vpn-peer", 1) and "/etc/ipsec.conf" in peer.files
    pair = scenarios["redundant-vpc"]
    assert api_router(pair, pair.routers[1], "BACKUP").redundant_state == "BACKUP"


def test_skip_checks_must_name_a_shared_check(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "cmd_line.json").write_text(json.dumps({"type": "cmdline", "cmd_line": {}}))
    (bad / "scenario.yaml").write_text(
        "routers: [{name: r-1-VM, boot: cmd_line.json}]\nskip-checks: {pingable: no}\n")
    with pytest.raises(ConfigError, match="unknown check pingable"):
        load_scenario(bad)


def test_selection_areas_pick_scenarios_and_shared_engine_picks_all() -> None:
    every = list_scenarios(REPO_SUITES)
    names = lambda chosen: sorted(s.name for s in chosen)  # noqa: E731
    vpn, why = scenarios_for({"areas": [{"name": "vpn"}]}, every)
    assert names(vpn) == ["vpc-ra-vpn", "vpc-s2s-vpn"] and why == "areas vpn"
    everything, why = scenarios_for({"areas": [{"name": "shared-config-engine"}]}, every)
    assert len(everything) == len(every) and "shared-config-engine" in why
    assert len(scenarios_for({"areas": [], "fallback": True}, every)[0]) == len(every)
    assert scenarios_for({"areas": [{"name": "router-api"}]}, every) == (
        [], "no VR script area changed")
    unknown, why = scenarios_for({"areas": [{"name": "brand-new-area"}]}, every)
    assert len(unknown) == len(every) and "no scenario for brand-new-area" in why


def test_fastlane_descriptor_loads_as_its_own_kind() -> None:
    env = load_environment(str(REPO_SUITES.parents[1] / "environments" / "fastlane.yaml"))
    assert env.kind == "fastlane" and env.fastlane is not None
    assert env.fastlane.jobs == 3 and env.capabilities.real_vrs is False


def test_non_root_gets_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(ConfigError) as exc:
        require_root()
    assert exc.value.one_line().startswith("the fast lane needs root")


def test_compiled_tree_is_cached_by_content_and_names_files_as_the_sandbox_sees_them(
        tmp_path: Path) -> None:
    tree = copy_tree(tmp_path / "checkout")
    first = compiled_tree(tree, tmp_path / "cache")
    pyc = next((first / "opt/cloud/bin/__pycache__").glob("update_config.*.pyc"))
    code = marshal.loads(pyc.read_bytes()[16:])
    assert code.co_filename == "/opt/cloud/bin/update_config.py"
    assert compiled_tree(tree, tmp_path / "cache") == first  # same content: reused
    script = tree / "opt/cloud/bin/update_config.py"
    script.write_text(script.read_text() + "\n# changed\n")
    changed = compiled_tree(tree, tmp_path / "cache")
    assert changed != first
    assert "# changed" in (changed / "opt/cloud/bin/update_config.py").read_text()


def test_compiled_tree_falls_back_to_the_tree_when_the_cache_is_unusable(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path / "checkout")
    (tmp_path / "not-a-dir").write_text("")
    assert compiled_tree(tree, tmp_path / "not-a-dir") == tree


def test_unknown_base_ref_is_named(tmp_path: Path) -> None:
    copy_tree(tmp_path / "cs")
    git(tmp_path / "cs", "init", "-q")
    git(tmp_path / "cs", "add", "-A")
    git(tmp_path / "cs", "commit", "-qm", "base")
    with pytest.raises(ConfigError) as info:
        tree_at(tmp_path / "cs", "no-such-branch", tmp_path / "cache")
    assert "unknown git ref 'no-such-branch'" in info.value.one_line()
    assert "--base" in info.value.one_line()
