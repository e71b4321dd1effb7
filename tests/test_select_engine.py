"""The selection engine on a synthetic catalog: classification, moved suites, env filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_catalog_scan import checkout  # noqa: F401 (fixture)
from vrtest.selector import ChangeSet, select
from vrtest.selector.catalog import Catalog, SuiteInfo, TestInfo, snapshot_catalog
from vrtest.selector.envfilter import Capabilities, load_capabilities
from vrtest.selector.rules import load_rules, parse_rules
from vrtest.selector.scan import scan_checkout

S2S = "systemvm/debian/opt/cloud/bin/cs_site2sitevpn.py"
RVR = "systemvm/debian/opt/cloud/bin/cs/CsRedundant.py"
SIMULATOR = Capabilities("simulator", real_vrs=False, network_kinds=frozenset({"isolated", "vpc"}),
                         required_hardware=False, tags=("advanced",))
LAB = Capabilities("lab-kvm", real_vrs=True, tags=("advanced",))


def changes(*paths: str) -> ChangeSet:
    return ChangeSet.build(paths, {"kind": "files"})


def test_new_vpn_suite_is_selected_by_evidence(checkout: Path) -> None:  # noqa: F811
    selection = select(changes(S2S), catalog=scan_checkout(checkout))
    picks = {s.path: s for s in selection.suites}
    future = picks["smoke/test_vpn_future.py"]
    assert any("classified into vpn by evidence" in r and "uses VpnCustomerGateway" in r
               for r in future.reasons)
    assert "component/test_storage_only.py" not in picks  # one weak signal is not enough


def test_classified_suite_is_not_selected_for_other_areas(checkout: Path) -> None:  # noqa: F811
    selection = select(changes("systemvm/debian/opt/cloud/bin/cs/CsLoadBalancer.py"),
                       catalog=scan_checkout(checkout))
    assert "smoke/test_vpn_future.py" not in {s.path for s in selection.suites}


def test_rules_naming_a_moved_suite_resolve_by_file_name() -> None:
    rules = parse_rules({"rules": [{"id": "old-rule", "reason": "old layout",
                                    "paths": ["x/**"],
                                    "suites": ["component/test_vpc_redundant.py"]}]}, "t.yaml")
    selection = select(changes("x/y.py"), rules=rules, catalog=snapshot_catalog())
    assert [s.path for s in selection.suites] == ["smoke/test_vpc_redundant.py"]
    assert any("component/test_vpc_redundant.py is at smoke/test_vpc_redundant.py" in w
               for w in selection.warnings)


def test_suite_missing_from_catalog_warns_and_is_not_verified() -> None:
    rules = parse_rules({"rules": [{"id": "r", "reason": "x", "paths": ["x/**"],
                                    "suites": ["smoke/test_gone.py"]}]}, "t.yaml")
    selection = select(changes("x/y.py"), rules=rules, catalog=snapshot_catalog())
    assert selection.suites == ()
    assert selection.not_verified[0]["suite"] == "smoke/test_gone.py"
    assert any("smoke/test_gone.py is not in" in w for w in selection.warnings)


def test_simulator_gets_only_required_hardware_false_and_says_what_was_not_verified() -> None:
    selection = select(changes(RVR), env=SIMULATOR)
    tests = {t for s in selection.suites for t in s.tests}
    catalog = snapshot_catalog()
    for suite in selection.suites:
        by_id = {t.id: t for t in catalog.by_path[suite.path].tests}
        # nose reads a missing required_hardware as False: "false" or absent both run
        assert all(by_id[t].required_hardware in ("false", None) for t in suite.tests)
    assert "smoke/test_vpc_redundant.py" not in {s.path for s in selection.suites}
    dropped = {item.get("suite") for item in selection.not_verified}
    assert {"smoke/test_vpc_redundant.py", "component/maint/test_redundant_router.py"} <= dropped
    assert selection.checks == ()
    assert {item.get("check") for item in selection.not_verified} >= {"redundant-state"}
    assert any("no real VRs" in item["reason"] for item in selection.not_verified)
    assert tests  # API-level tests still run


def test_lab_runs_hardware_tests_and_filters_by_network_kind() -> None:
    full = select(changes(RVR), env=LAB)
    assert "smoke/test_vpc_redundant.py" in {s.path for s in full.suites}
    no_rvr = Capabilities("small-lab", real_vrs=True,
                          network_kinds=frozenset({"isolated", "vpc"}))
    selection = select(changes(RVR), env=no_rvr)
    assert "smoke/test_vpc_redundant.py" not in {s.path for s in selection.suites}
    assert "redundant-state" not in {c.name for c in selection.checks}
    assert any("needs redundant networks" in item["reason"] for item in selection.not_verified)


def test_narrowed_rule_selects_only_named_tests() -> None:
    rules = parse_rules({"rules": [{"id": "lb", "reason": "haproxy", "paths": ["x/**"],
                                    "suites": [{"path": "smoke/test_routers.py",
                                                "tests": ["test_02_router_internal_adv"]}]}]},
                        "t.yaml")
    selection = select(changes("x/lb.py"), rules=rules)
    routers = next(s for s in selection.suites if s.path == "smoke/test_routers.py")
    assert routers.tests == ("TestRouterServices.test_02_router_internal_adv",)


def test_marvin_lib_selects_vr_suites_importing_it() -> None:
    catalog = Catalog("tiny", (
        SuiteInfo("smoke/test_routers.py", (TestInfo("test_a", "T"),),
                  imports=("marvin.lib.decoratorGenerators",)),
        SuiteInfo("smoke/test_vpc_vpn.py", (TestInfo("test_b", "T"),),
                  imports=("marvin.lib.base",)),
    ))
    selection = select(changes("tools/marvin/marvin/lib/decoratorGenerators.py"),
                       catalog=catalog)
    assert [s.path for s in selection.suites] == ["smoke/test_routers.py"]
    assert selection.suites[0].reasons == ("marvin-lib: imports marvin.lib.decoratorGenerators",)
    assert selection.checks == ()


@pytest.mark.parametrize("module", ["sshClient.py", "lib/utils.py", "codes.py"])
def test_marvin_module_the_library_imports_selects_the_vr_set(module: str) -> None:
    selection = select(changes(f"tools/marvin/marvin/{module}"))
    assert {s.path for s in load_rules().vr_set} <= {s.path for s in selection.suites}
    assert "shared Marvin library code" in selection.suites[0].reasons[0]


def test_marvin_plumbing_selects_the_vr_set() -> None:
    selection = select(changes("tools/marvin/marvin/marvinPlugin.py"))
    assert {s.path for s in load_rules().vr_set} <= {s.path for s in selection.suites}


def test_changed_suite_selects_itself_even_when_new() -> None:
    selection = select(changes("test/integration/smoke/test_brand_new_vr.py"))
    assert [s.path for s in selection.suites] == ["smoke/test_brand_new_vr.py"]
    assert selection.suites[0].tests == ()  # unknown to the catalog: the whole file


@pytest.mark.parametrize("path", ["test/integration/smoke/__init__.py",
                                  "test/integration/broken/test_x.py"])
def test_non_suite_marvin_files_select_nothing(path: str) -> None:
    assert select(changes(path)).suites == ()


def test_picks_of_one_suite_merge_reasons_and_whole_suite_wins() -> None:
    narrow = select(changes(RVR))
    vpn = next(s for s in narrow.suites if s.path == "smoke/test_vpc_vpn.py")
    assert vpn.tests == ("TestRVPCSite2SiteVpn.test_01_redundant_vpc_site2site_vpn",)
    both = select(changes(RVR, S2S))
    vpn = next(s for s in both.suites if s.path == "smoke/test_vpc_vpn.py")
    assert len(vpn.tests) == 4
    assert {r.split(":")[0] for r in vpn.reasons} == {"vr-redundant", "vr-vpn"}


def test_hardware_env_runs_every_tagged_test_as_trillian_does() -> None:
    hardware = Capabilities("hw", real_vrs=True, required_hardware=True, tags=("advanced",))
    selection = select(changes(RVR), env=hardware)
    paths = {s.path for s in selection.suites}
    assert {"smoke/test_vpc_redundant.py", "component/maint/test_redundant_router.py"} <= paths
    assert not any("required_hardware" in item.get("reason", "")
                   for item in selection.not_verified)


def test_hardware_false_env_keeps_required_hardware_false_and_absent_tests() -> None:
    """As real nose (pynose 1.5.5): -a ...,required_hardware=false keeps methods without it."""
    nohw = Capabilities("nohw", real_vrs=True, required_hardware=False, tags=("advanced",))
    selection = select(changes(RVR), env=nohw)
    suites = {s.path: s for s in selection.suites}
    # no @attr required_hardware there: the 8 advanced-tagged methods nose collects
    assert len(suites["component/maint/test_redundant_router.py"].tests) == 8
    dropped = [item for item in selection.not_verified
               if item.get("suite") == "smoke/test_vpc_redundant.py"]
    assert dropped and "required_hardware=true" in dropped[0]["reason"]


def test_select_accepts_a_loaded_environment() -> None:
    from vrtest.environment import load_environment

    env = load_environment("simulator", envs_dir=Path(__file__).resolve().parents[1]
                           / "environments")
    selection = select(changes(RVR), env=env)
    assert selection.checks == ()
    assert any(item.get("check") == "redundant-state" for item in selection.not_verified)


def test_changeset_entry_points_used_by_vrtest_run(tmp_path: Path) -> None:
    listed = tmp_path / "files.txt"
    listed.write_text(f"{RVR}\n")
    assert ChangeSet.from_files([RVR]).paths == (RVR,)
    assert ChangeSet.from_files_from(str(listed)).paths == (RVR,)
    everything = select(ChangeSet.everything())
    assert {s.path for s in load_rules().vr_set} <= {s.path for s in everything.suites}
    assert not everything.fallback


def test_capabilities_from_a_descriptor() -> None:
    envs = Path(__file__).resolve().parents[1] / "environments"
    caps = load_capabilities("simulator", envs_dir=envs)
    assert caps == Capabilities("simulator", False, frozenset({"isolated", "vpc", "redundant"}),
                                False, ("advanced",))
    assert load_capabilities("local", envs_dir=envs).real_vrs is True
