"""suites/matrix.yaml: loading, validation, cell expansion, the Jenkinsfile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from vrtest.errors import ConfigError, UsageError
from vrtest.matrix.cells import pick_cell, plan_cells
from vrtest.matrix.envfacts import EnvFacts, load_env_facts
from vrtest.matrix.jenkins import groovy
from vrtest.matrix.plan import load_matrix

REPO = Path(__file__).resolve().parent.parent
MATRIX = REPO / "suites" / "matrix.yaml"


def facts(name: str, kinds: set[str], *, marvin: bool = True, tags: tuple[str, ...] = (),
          hardware: bool | None = None, zone: str = "z1") -> EnvFacts:
    return EnvFacts(name, Path(f"{name}.yaml"), frozenset(kinds), marvin, tags, hardware,
                    (zone,), False)


def test_shipped_matrix_has_the_five_network_kinds() -> None:
    spec = load_matrix(MATRIX)
    assert list(spec.kinds) == ["isolated", "isolated-redundant", "vpc", "vpc-redundant",
                                "vpc-vpn"]
    assert "smoke/test_vpc_redundant.py" in [s.path for s in spec.kinds["vpc-redundant"].suites]
    assert "redundant-state" in spec.kinds["vpc-redundant"].checks
    assert {"nightly", "lab"} <= set(spec.plans)


def test_cells_follow_capabilities_and_plan_limits() -> None:
    spec = load_matrix(MATRIX)
    envs = {"lab-kvm": facts("lab-kvm", {"isolated", "vpc", "redundant", "vpn"}),
            "lab-xen": facts("lab-xen", {"isolated", "vpc"}),
            "local": facts("local", {"isolated", "vpc", "redundant"}, marvin=False)}
    cells = plan_cells(spec, spec.plan("nightly"), _lookup(envs))
    ids = [cell.id for cell in cells]
    assert ids == [
        "lab-kvm-isolated", "lab-kvm-isolated-redundant", "lab-kvm-vpc", "lab-kvm-vpc-redundant",
        "lab-kvm-vpc-vpn", "lab-xen-isolated", "lab-xen-vpc",
        "local-isolated", "local-isolated-redundant", "local-vpc",
    ]
    local = pick_cell(cells, "local-isolated-redundant")
    assert local.suites == () and local.redundant and not local.vpc
    assert local.checks == spec.kinds["isolated-redundant"].checks
    skipping = replace(spec.plans["nightly"], envs=tuple(
        replace(e, skip_checks=("dhcp-dns",)) if e.name == "local" else e
        for e in spec.plans["nightly"].envs))
    [lean] = [c for c in plan_cells(spec, skipping, _lookup(envs)) if c.id == local.id]
    assert lean.checks == ("default-route", "iptables-policy", "redundant-state", "services")
    only = plan_cells(spec, spec.plans["nightly"], _lookup(envs), only_envs=["lab-xen"])
    assert [c.id for c in only] == ["lab-xen-isolated", "lab-xen-vpc"]
    with pytest.raises(UsageError, match="not in plan"):
        plan_cells(spec, spec.plans["nightly"], _lookup(envs), only_envs=["lab-hyperv"])
    with pytest.raises(UsageError) as info:
        pick_cell(cells, "lab-kvm-nope")
    assert "(cells: lab-kvm-isolated, " in info.value.one_line()


def _lookup(envs: dict[str, EnvFacts]):
    return lambda name: envs.get(name) or facts(name, set())


def test_suites_filtered_by_tags_and_hardware() -> None:
    spec = load_matrix(MATRIX)
    plan = spec.plans["nightly"]
    simulator = facts("lab-kvm", {"isolated"}, tags=("advanced",), hardware=False)
    [cell] = [c for c in plan_cells(spec, plan, _lookup({"lab-kvm": simulator}))
              if c.kind == "isolated"]
    assert "smoke/test_routers.py" in cell.suites  # mixed hardware stays
    assert "smoke/test_router_dns.py" not in cell.suites  # needs hardware
    assert "smoke/test_portforwardingrules.py" in cell.suites  # unknown facts: kept
    tagged = facts("lab-kvm", {"isolated"}, tags=("basic",))
    [cell] = [c for c in plan_cells(spec, plan, _lookup({"lab-kvm": tagged}))
              if c.kind == "isolated"]
    assert "smoke/test_routers.py" in cell.suites
    assert "smoke/test_router_dns.py" not in cell.suites  # tags advanced/advancedns/ssh only


def test_env_facts_from_a_real_descriptor() -> None:
    local = load_env_facts("local", REPO / "environments")
    assert local.network_kinds == {"isolated", "vpc", "redundant"}
    assert not local.marvin_enabled and local.is_lab and local.zone == "local-zone"
    with pytest.raises(UsageError, match="unknown environment 'nowhere'"):
        load_env_facts("nowhere", REPO / "environments")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=2), "schema_version"),
        (lambda d: d["network_kinds"]["vpc"].update(checks=["default-route", "magic"]),
         r"network_kinds.vpc.checks: unknown check\(s\) magic"),
        (lambda d: d["network_kinds"]["vpc"].update(requires=["ipv9"]),
         "network_kinds.vpc.requires"),
        (lambda d: d["network_kinds"]["vpc"]["suites"].append({"path": "smoke/x"}),
         r"network_kinds.vpc.suites\[9\].path"),
        (lambda d: d["plans"]["lab"]["envs"]["local"].update(kinds=["vpx"]),
         "plans.lab.envs.local.kinds: unknown network kind 'vpx'"),
        (lambda d: d["network_kinds"].update({"Bad Kind": {}}), "is not a lower-case id"),
        (lambda d: d["plans"]["lab"]["envs"].update({"x'; rm -rf /": {}}),
         "is not an environment name"),
    ],
)
def test_matrix_file_errors_name_the_key(tmp_path: Path, change, message: str) -> None:
    data = yaml.safe_load(MATRIX.read_text())
    change(data)
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=message) as info:
        load_matrix(path)
    assert str(path) in info.value.one_line()


def test_unknown_plan_lists_plans(cli) -> None:
    result = cli("matrix", "--plan", "weekly", "--list", "--matrix-file", str(MATRIX))
    assert result.code == 2 and "plans: lab, nightly" in result.err


def test_list_command_json(cli) -> None:
    result = cli("matrix", "--plan", "lab", "--list", "--format", "json",
                 "--matrix-file", str(MATRIX), "--envs-dir", str(REPO / "environments"))
    assert result.code == 0, result.err
    import json

    cells = json.loads(result.out)
    assert [c["id"] for c in cells] == ["local-isolated", "local-isolated-redundant", "local-vpc"]


def test_jenkinsfile_has_a_parallel_stage_per_cell_then_merge_and_import(cli) -> None:
    result = cli("matrix", "--plan", "lab", "--jenkinsfile", "--matrix-file", str(MATRIX),
                 "--envs-dir", str(REPO / "environments"))
    assert result.code == 0, result.err
    text = result.out
    for cell in ("local-isolated", "local-isolated-redundant", "local-vpc"):
        assert f"stage('{cell}')" in text
        assert f"vrtest matrix --plan lab --cell {cell} --output matrix" in text
    assert text.count("lock(resource: 'vrtest-zone-local-local-zone')") == 3
    assert text.index("parallel {") < text.index("vrtest report merge") < text.index(
        "vrtest history import --kind nightly matrix'") < text.index("--report-only")
    assert "--output matrix-merged matrix/local-isolated " in text  # merged outside matrix/
    assert text.count("catchError(buildResult: 'FAILURE'") == 3  # each step runs regardless
    assert text.count("{") == text.count("}")


def test_groovy_literals_cannot_break_out() -> None:
    assert groovy("it's ${evil}\\") == "'it\\'s ${evil}\\\\'"

