"""Table-driven tests of suites/map.yaml over realistic CloudStack paths, both layouts.

Uses the real rules and the shipped catalog snapshot: these are the facts the selector
ships with, so a rule edit that drops a suite fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED
from vrtest.selector import ChangeSet, Selection, select
from vrtest.selector.catalog import snapshot_catalog
from vrtest.selector.rules import CHECK_NAMES, load_rules

DATA = Path(__file__).parent / "data" / "selector"
CUR = "systemvm/debian/opt/cloud"
OLD_VR = "systemvm/patches/debian/config"
OLD = "systemvm/patches/debian/config/opt/cloud"
CORE = "core/src/main/java/com/cloud/agent/resource/virtualnetwork"
OLD_CORE = "core/src/com/cloud/agent/resource/virtualnetwork"
SERVER = "server/src/main/java/com/cloud/network"
OLD_SERVER = "server/src/com/cloud/network"


def run(*paths: str) -> Selection:
    return select(ChangeSet.build(paths, {"kind": "files"}))


def suite_paths(selection: Selection) -> set[str]:
    return {suite.path for suite in selection.suites}


def check_names(selection: Selection) -> set[str]:
    return {check.name for check in selection.checks}


REDUNDANT_SUITES = {"smoke/test_vpc_redundant.py", "smoke/test_routers_network_ops.py",
                    "component/maint/test_redundant_router.py"}
ROUTING_SUITES = {"smoke/test_vpc_router_nics.py", "smoke/test_vpc_redundant.py",
                  "smoke/test_routers_network_ops.py"}
IPTABLES_SUITES = {"smoke/test_routers_iptables_default_policy.py", "smoke/test_network_acl.py",
                   "component/test_egress_fw_rules.py"}
VPN_SUITES = {"smoke/test_vpc_vpn.py", "component/test_vpn_users.py"}
DHCP_SUITES = {"smoke/test_router_dhcphosts.py", "smoke/test_router_dns.py",
               "smoke/test_router_dnsservice.py"}
PASSWORD_SUITES = {"smoke/test_password_server.py", "smoke/test_deploy_vm_with_userdata.py"}
LB_SUITES = {"smoke/test_loadbalance.py", "smoke/test_internal_lb.py"}
STATIC_ROUTE_SUITES = {"smoke/test_privategw_acl.py"}
MONITOR_SUITES = {"smoke/test_diagnostics.py", "component/test_VirtualRouter_alerts.py"}
VR_SET = {"smoke/test_routers.py", "smoke/test_vpc_vpn.py", "smoke/test_router_dhcphosts.py",
          "smoke/test_routers_iptables_default_policy.py",
          "component/maint/test_redundant_router.py"}
ALL_CHECKS = set(CHECK_NAMES)

# (changed path, rule id that must fire, suites that must be selected, checks that must be)
CASES = [
    # redundant VR, both layouts and the flat 4.6 module
    (f"{CUR}/bin/cs/CsRedundant.py", "vr-redundant", REDUNDANT_SUITES,
     {"redundant-state", "default-route"}),
    (f"{OLD}/bin/cs/CsRedundant.py", "vr-redundant", REDUNDANT_SUITES,
     {"redundant-state", "default-route"}),
    (f"{OLD}/bin/CsRedundant.py", "vr-redundant", REDUNDANT_SUITES, {"redundant-state"}),
    (f"{CUR}/templates/keepalived.conf.templ", "vr-redundant", REDUNDANT_SUITES,
     {"redundant-state"}),
    (f"{OLD}/templates/conntrackd.conf.templ", "vr-redundant", REDUNDANT_SUITES,
     {"redundant-state"}),
    (f"{CUR}/bin/checkrouter.sh", "vr-redundant", REDUNDANT_SUITES, {"redundant-state"}),
    (f"{OLD}/templates/master.sh.templ", "vr-redundant", REDUNDANT_SUITES, {"redundant-state"}),
    (f"{CORE}/facade/BumpUpPriorityConfigItem.java", "vr-redundant", REDUNDANT_SUITES,
     {"redundant-state"}),
    # routing / addressing (+ iptables for CsAddress)
    (f"{CUR}/bin/cs/CsAddress.py", "vr-routing", ROUTING_SUITES | IPTABLES_SUITES,
     {"default-route", "iptables-policy"}),
    (f"{OLD}/bin/cs/CsAddress.py", "vr-netfilter", ROUTING_SUITES | IPTABLES_SUITES,
     {"default-route", "iptables-policy"}),
    (f"{OLD}/bin/CsRoute.py", "vr-routing", ROUTING_SUITES, {"default-route"}),
    (f"{CUR}/bin/cs/CsRule.py", "vr-routing", ROUTING_SUITES, {"default-route"}),
    (f"{CUR}/bin/ipassoc.sh", "vr-routing", ROUTING_SUITES, {"default-route"}),
    (f"{CORE}/facade/IpAssociationConfigItem.java", "vr-routing", ROUTING_SUITES,
     {"default-route"}),
    (f"{OLD_CORE}/facade/SetSourceNatConfigItem.java", "vr-routing", ROUTING_SUITES,
     {"default-route"}),
    (f"{SERVER}/router/NicProfileHelperImpl.java", "vr-routing", ROUTING_SUITES,
     {"default-route"}),
    # iptables / firewall / NAT / ACL
    (f"{CUR}/bin/cs/CsNetfilter.py", "vr-netfilter", IPTABLES_SUITES, {"iptables-policy"}),
    (f"{OLD}/bin/cs/CsNetfilter.py", "vr-netfilter", IPTABLES_SUITES, {"iptables-policy"}),
    ("systemvm/debian/etc/iptables/iptables-vpcrouter", "vr-netfilter", IPTABLES_SUITES,
     {"iptables-policy"}),
    ("systemvm/patches/debian/config/etc/iptables/iptables-router", "vr-netfilter",
     IPTABLES_SUITES, {"iptables-policy"}),
    (f"{CUR}/bin/cs_firewallrules.py", "vr-netfilter", IPTABLES_SUITES, {"iptables-policy"}),
    (f"{CORE}/facade/SetNetworkAclConfigItem.java", "vr-netfilter", IPTABLES_SUITES,
     {"iptables-policy"}),
    (f"{SERVER}/vpc/NetworkACLManagerImpl.java", "vr-netfilter", IPTABLES_SUITES,
     {"iptables-policy"}),
    # VPN: l2tp / ipsec configs and the databag mergers
    ("systemvm/debian/etc/ipsec.d/l2tp.conf", "vr-vpn", VPN_SUITES, {"vpn"}),
    ("systemvm/debian/etc/xl2tpd/xl2tpd.conf", "vr-vpn", VPN_SUITES, {"vpn"}),
    ("systemvm/debian/etc/ppp/options.xl2tpd", "vr-vpn", VPN_SUITES, {"vpn"}),
    ("systemvm/patches/debian/vpn/etc/ipsec.d/l2tp.conf", "vr-vpn", VPN_SUITES, {"vpn"}),
    (f"{OLD}/bin/cs_site2sitevpn.py", "vr-vpn", VPN_SUITES, {"vpn"}),
    (f"{CUR}/bin/ipsectunnel.sh", "vr-vpn", VPN_SUITES, {"vpn"}),
    (f"{CORE}/facade/RemoteAccessVpnConfigItem.java", "vr-vpn", VPN_SUITES, {"vpn"}),
    (f"{SERVER}/vpn/Site2SiteVpnManagerImpl.java", "vr-vpn", VPN_SUITES, {"vpn"}),
    # DHCP / DNS / password / userdata
    (f"{CUR}/bin/cs/CsDhcp.py", "vr-dhcp-dns", DHCP_SUITES, {"dhcp-dns"}),
    (f"{OLD}/bin/cs/CsDhcp.py", "vr-dhcp-dns", DHCP_SUITES, {"dhcp-dns"}),
    ("systemvm/debian/etc/dnsmasq.conf.tmpl", "vr-dhcp-dns", DHCP_SUITES, {"dhcp-dns"}),
    (f"{CUR}/bin/edithosts.sh", "vr-dhcp-dns", DHCP_SUITES, {"dhcp-dns"}),
    (f"{CORE}/facade/DhcpEntryConfigItem.java", "vr-dhcp-dns", DHCP_SUITES, {"dhcp-dns"}),
    (f"{CUR}/bin/passwd_server_ip.py", "vr-password-userdata", PASSWORD_SUITES, {"dhcp-dns"}),
    (f"{OLD}/bin/cs/CsVmPassword.py", "vr-password-userdata", PASSWORD_SUITES, {"dhcp-dns"}),
    ("systemvm/patches/debian/config/etc/init.d/cloud-passwd-srvr", "vr-password-userdata",
     PASSWORD_SUITES, {"services"}),
    (f"{CUR}/bin/cs_vmdata.py", "vr-password-userdata", PASSWORD_SUITES, {"dhcp-dns"}),
    # load balancer
    (f"{CUR}/bin/cs/CsLoadBalancer.py", "vr-loadbalancer", LB_SUITES, {"services"}),
    ("systemvm/patches/debian/config/etc/haproxy/haproxy.cfg", "vr-loadbalancer", LB_SUITES,
     {"services"}),
    (f"{CORE}/facade/LoadBalancerConfigItem.java", "vr-loadbalancer", LB_SUITES, {"services"}),
    # static routes / private gateway
    (f"{CUR}/bin/cs/CsStaticRoutes.py", "vr-static-routes", STATIC_ROUTE_SUITES,
     {"default-route"}),
    (f"{OLD}/bin/cs_staticroutes.py", "vr-static-routes", STATIC_ROUTE_SUITES, {"default-route"}),
    (f"{CORE}/facade/SetStaticRouteConfigItem.java", "vr-static-routes", STATIC_ROUTE_SUITES,
     {"default-route"}),
    # monitoring
    (f"{CUR}/bin/cs/CsMonitor.py", "vr-monitoring", MONITOR_SUITES, {"services"}),
    (f"{OLD}/bin/cs_monitorservice.py", "vr-monitoring", MONITOR_SUITES, {"services"}),
    ("systemvm/debian/root/health_checks/cpu_usage_check.py", "vr-monitoring", MONITOR_SUITES,
     {"services"}),
    # BGP
    (f"{CUR}/bin/cs/CsBgpPeers.py", "vr-bgp", {"smoke/test_ipv4_routing.py"}, {"default-route"}),
    # shared engine: the whole VR set
    (f"{CUR}/bin/cs/CsHelper.py", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{OLD}/bin/cs/CsDatabag.py", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{CUR}/bin/merge.py", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{OLD}/bin/update_config.py", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{CUR}/bin/configure.py", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{CUR}/bin/setup/cloud-early-config", "vr-engine", VR_SET, ALL_CHECKS),
    ("systemvm/patches/debian/config/etc/init.d/cloud-early-config", "vr-engine", VR_SET,
     ALL_CHECKS),
    (f"{CORE}/VirtualRoutingResource.java", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{OLD_CORE}/VirtualRoutingResource.java", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{CORE}/facade/AbstractConfigItemFacade.java", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{SERVER}/router/VirtualNetworkApplianceManagerImpl.java", "vr-engine", VR_SET,
     ALL_CHECKS),
    (f"{OLD_SERVER}/router/VpcVirtualNetworkApplianceManagerImpl.java", "vr-engine", VR_SET,
     ALL_CHECKS),
    (f"{SERVER}/router/CommandSetupHelper.java", "vr-engine", VR_SET, ALL_CHECKS),
    ("server/src/main/java/org/apache/cloudstack/network/topology/AdvancedNetworkVisitor.java",
     "vr-engine", VR_SET, ALL_CHECKS),
    (f"{SERVER}/element/VirtualRouterElement.java", "vr-engine", VR_SET, ALL_CHECKS),
    (f"{OLD_SERVER}/element/VpcVirtualRouterElement.java", "vr-engine", VR_SET, ALL_CHECKS),
    ("scripts/network/domr/router_proxy.sh", "vr-engine", VR_SET, ALL_CHECKS),
    ("systemvm/test/TestCsAddress.py", "vr-engine", VR_SET, ALL_CHECKS),
    # systemvm template build, both generations
    ("tools/appliance/systemvmtemplate/scripts/install_systemvm_packages.sh", "vr-template",
     VR_SET, ALL_CHECKS),
    ("tools/appliance/definitions/systemvmtemplate/definition.rb", "vr-template", VR_SET,
     ALL_CHECKS),
    # management-server orchestration of what the VR gets
    ("server/src/main/java/com/cloud/network/IpAddressManagerImpl.java", "network-orchestration",
     ROUTING_SUITES, {"default-route"}),
    ("engine/orchestration/src/main/java/org/apache/cloudstack/engine/orchestration/"
     "NetworkOrchestrator.java", "network-orchestration", ROUTING_SUITES, {"default-route"}),
    # router API on the management server
    ("api/src/main/java/org/apache/cloudstack/api/command/admin/router/StopRouterCmd.java",
     "router-api", {"smoke/test_routers.py"}, {"services"}),
    # Marvin itself
    ("test/integration/smoke/test_vpc_vpn.py", "marvin-test", {"smoke/test_vpc_vpn.py"}, set()),
    ("tools/marvin/marvin/lib/utils.py", "marvin-lib",
     {"smoke/test_routers.py", "smoke/test_vpc_redundant.py"}, set()),
]


@pytest.mark.parametrize(("path", "rule", "suites", "checks"), CASES,
                         ids=[case[0].replace("/", "_") for case in CASES])
def test_path_selects_area_suites_and_checks(
    path: str, rule: str, suites: set[str], checks: set[str]
) -> None:
    selection = run(path)
    assert rule in {d.rule for d in selection.decisions if d.path == path}
    assert suites <= suite_paths(selection), suites - suite_paths(selection)
    assert checks <= check_names(selection)
    assert not selection.fallback
    assert all(suite.reasons for suite in selection.suites)


@pytest.mark.parametrize("path", [f"{CUR}/bin/cs/CsLoadBalancer.py", f"{CUR}/bin/ipsectunnel.sh",
                                  f"{OLD}/bin/cs/CsStaticRoutes.py", f"{CUR}/bin/cs/CsMonitor.py"])
def test_every_vr_rule_adds_the_end_to_end_baseline(path: str) -> None:
    selection = run(path)
    assert {"smoke/test_routers.py", "smoke/test_routers_network_ops.py",
            "smoke/test_vpc_router_nics.py"} <= suite_paths(selection)
    assert {"default-route", "services"} <= check_names(selection)
    assert len(selection.suites) < 20


def test_narrow_change_does_not_select_the_world() -> None:
    redundant = run(f"{CUR}/bin/cs/CsRedundant.py")
    assert "smoke/test_loadbalance.py" not in suite_paths(redundant)
    assert "vpn" not in check_names(redundant)
    lb = run(f"{CUR}/bin/cs/CsLoadBalancer.py")
    assert "smoke/test_vpc_redundant.py" not in suite_paths(lb)
    assert "redundant-state" not in check_names(lb)


@pytest.mark.parametrize("script", ["dhcp_check.py", "dns_check.py", "gateways_check.py",
                                    "iptables_check.py", "haproxy_check.py"])
def test_a_health_check_script_selects_the_health_checks_not_the_feature(script: str) -> None:
    selection = run(f"systemvm/debian/root/health_checks/{script}")
    assert {d.rule for d in selection.decisions} == {"vr-monitoring"}
    assert "component/test_routers.py" in suite_paths(selection)


@pytest.mark.parametrize("path", [
    "ui/src/views/network/VpcTab.vue",
    "docs/source/networking.rst",
    "engine/storage/src/main/java/org/apache/cloudstack/storage/volume/VolumeServiceImpl.java",
    "plugins/storage/volume/linstor/src/main/java/Foo.java",
    "README.md",
])
def test_non_vr_change_selects_nothing(path: str) -> None:
    selection = run(path)
    assert selection.empty
    assert selection.unmatched == (path,)
    assert not selection.fallback and not selection.warnings


@pytest.mark.parametrize("path", [
    f"{CUR}/bin/brand_new_feature.py",
    "systemvm/debian/etc/some/new.conf",
    f"{OLD}/bin/unknown.sh",
    f"{CORE}/facade/SomeNewConfigItem2.java".replace("ConfigItem2", "Thing"),
])
def test_unknown_vr_path_selects_everything_and_warns(path: str) -> None:
    selection = run(path)
    assert selection.fallback
    assert suite_paths(selection) >= VR_SET
    assert check_names(selection) == ALL_CHECKS
    assert any("unmapped VR path" in w and path in w for w in selection.warnings)


def test_console_proxy_assets_are_reviewed_as_not_vr() -> None:
    selection = run("systemvm/agent/noVNC/app/ui.js", "systemvm/agent/js/ajaxviewer.js")
    assert selection.empty and not selection.fallback and not selection.unmatched
    assert {d.rule for d in selection.decisions} == {"systemvm-console-proxy"}


def test_every_rule_suite_is_in_the_snapshot_catalog() -> None:
    rules, catalog = load_rules(), snapshot_catalog()
    named = {ref.path for rule in rules.rules for ref in rule.suites} | {
        ref.path for ref in rules.vr_set}
    assert named - set(catalog.by_path) == set()
    for rule in rules.rules:
        for ref in rule.suites:
            known = {test.name for test in catalog.by_path[ref.path].tests}
            assert set(ref.tests) <= known, (rule.id, ref.path)


def test_every_area_of_the_research_has_a_rule() -> None:
    yaml = pytest.importorskip("yaml")
    areas_file = next((base / "cloudstack" / "vr-areas.yaml" for base in
                       (SHARED, Path("/work/shared")) if (base / "cloudstack").is_dir()), None)
    if areas_file is None:
        pytest.skip("shared research facts not present")
    rules = load_rules()
    for area in yaml.safe_load(areas_file.read_text())["areas"]:
        for layout in ("current", "legacy"):
            for glob in area["paths"].get(layout) or ():
                concrete = glob.replace("**", "x/y").replace("*", "Any")
                if "*" in glob:  # a new file there: a rule, or the unmapped-VR fail-safe
                    assert rules.matching(concrete) or rules.in_vr_tree(concrete), concrete
                else:
                    assert rules.matching(concrete), f"{area['name']}: {concrete}"


@pytest.mark.parametrize("listing", ["vr-tree-main.txt", "vr-tree-legacy.txt"])
def test_every_file_of_the_vr_trees_is_mapped(listing: str) -> None:
    """Every file under a VR tree at main and in the 4.6-4.9 layout is known to a rule."""
    path = DATA / listing
    rules = load_rules()
    files = [line.strip() for line in path.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    unmapped = [f for f in files if rules.in_vr_tree(f) and not rules.matching(f)]
    assert unmapped == []


# Calibration against real apache/cloudstack pull requests: tests/test_select_real_prs.py.


def test_selection_round_trips_through_json(tmp_path: Path) -> None:
    selection = run(f"{CUR}/bin/cs/CsRedundant.py", "ui/x.vue")
    target = tmp_path / "selection.json"
    selection.save(target)
    assert Selection.load(target) == selection


ROUTING_COMMANDS = "core/src/main/java/com/cloud/agent/api/routing"


@pytest.mark.parametrize(("name", "rule"), [
    ("IpAssocVpcCommand.java", "vr-routing"), ("SetNetworkACLCommand.java", "vr-netfilter"),
    ("Site2SiteVpnCfgCommand.java", "vr-vpn"), ("DhcpEntryCommand.java", "vr-dhcp-dns"),
    ("VmDataCommand.java", "vr-password-userdata"),
    ("LoadBalancerConfigCommand.java", "vr-loadbalancer"),
    ("SetStaticRouteCommand.java", "vr-static-routes"),
    ("GetRouterAlertsCommand.java", "vr-monitoring"), ("SetBgpPeersCommand.java", "vr-bgp"),
    ("NetworkElementCommand.java", "vr-engine"),
])
def test_agent_routing_commands_map_to_their_area(name: str, rule: str) -> None:
    for root in (ROUTING_COMMANDS, ROUTING_COMMANDS.replace("src/main/java", "src")):
        assert rule in {r.id for r in load_rules().matching(f"{root}/{name}")}


@pytest.mark.parametrize(("path", "rule"), [
    ("core/src/main/java/com/cloud/network/HAProxyConfigurator.java", "vr-loadbalancer"),
    ("api/src/main/java/com/cloud/agent/api/to/LoadBalancerTO.java", "vr-loadbalancer"),
    ("api/src/main/java/com/cloud/agent/api/to/PortForwardingRuleTO.java", "vr-netfilter"),
    ("api/src/com/cloud/agent/api/to/NetworkACLTO.java", "vr-netfilter"),
    ("api/src/main/java/com/cloud/agent/api/to/IpAddressTO.java", "vr-routing"),
    ("core/src/main/java/com/cloud/agent/api/SetupGuestNetworkCommand.java", "vr-routing"),
    ("core/src/com/cloud/agent/api/CheckRouterCommand.java", "vr-redundant"),
    ("core/src/main/java/com/cloud/agent/api/CheckS2SVpnConnectionsCommand.java", "vr-vpn"),
    ("scripts/vm/systemvm/injectkeys.sh", "vr-template"),
    ("server/src/main/java/org/apache/cloudstack/diagnostics/DiagnosticsServiceImpl.java",
     "vr-monitoring"),
    ("plugins/hypervisors/kvm/src/main/java/com/cloud/hypervisor/kvm/resource/wrapper/"
     "LibvirtNetworkUsageCommandWrapper.java", "vr-monitoring"),
    ("server/src/main/java/com/cloud/network/as/AutoScaleManagerImpl.java", "vr-autoscale"),
    ("server/src/main/java/com/cloud/network/rules/RuleApplier.java", "vr-engine"),
    ("scripts/vm/hypervisor/kvm/patch.sh", "vr-template"),
    ("plugins/hypervisors/kvm/src/main/java/com/cloud/hypervisor/kvm/resource/wrapper/"
     "LibvirtPatchSystemVmCommandWrapper.java", "vr-template"),
])
def test_what_the_agent_sends_to_the_vr_maps_to_its_area(path: str, rule: str) -> None:
    assert rule in {r.id for r in load_rules().matching(path)}


def test_other_transfer_objects_are_not_vr_code() -> None:
    assert run("api/src/main/java/com/cloud/agent/api/to/VolumeTO.java").empty
