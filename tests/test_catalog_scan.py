"""``vrtest catalog``: ast scan of a synthetic checkout whose files use the real @attr forms."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from vrtest.errors import UsageError
from vrtest.selector.catalog import Catalog, load_catalog, snapshot_catalog
from vrtest.selector.scan import scan_checkout

CHECKOUT_DATA = Path(__file__).parent / "data" / "selector" / "checkout"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A CloudStack-shaped tree; data files are stored as *.py.txt so pytest never imports them."""
    root = tmp_path / "cloudstack"
    for source in CHECKOUT_DATA.rglob("*.txt"):
        target = root / source.relative_to(CHECKOUT_DATA).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return root


def test_scan_reads_every_attr_form(checkout: Path) -> None:
    catalog = scan_checkout(checkout)
    assert sorted(catalog.by_path) == ["component/maint/test_redundant_router.py",
                                       "component/test_storage_only.py",
                                       "smoke/test_vpc_redundant.py", "smoke/test_vpn_future.py"]
    rvpc = {t.name: t for t in catalog.by_path["smoke/test_vpc_redundant.py"].tests}
    assert set(rvpc) == {"test_01_primary_and_backup", "test_02_api_only", "test_03_bool_hardware"}
    assert rvpc["test_01_primary_and_backup"].tags == ("advanced", "intervlan")
    assert rvpc["test_01_primary_and_backup"].required_hardware == "true"
    assert rvpc["test_02_api_only"].tags == ("advanced",)  # tuple form
    assert rvpc["test_02_api_only"].required_hardware == "false"
    assert rvpc["test_03_bool_hardware"].required_hardware == "true"  # bool form
    assert rvpc["test_01_primary_and_backup"].id == "TestRedundantVpc.test_01_primary_and_backup"


def test_class_attr_is_inherited_and_method_attr_wins(checkout: Path) -> None:
    suite = scan_checkout(checkout).by_path["smoke/test_vpn_future.py"]
    tests = {t.name: t for t in suite.tests}
    assert tests["test_tunnel_up"].tags == ("advanced",)
    assert tests["test_tunnel_up"].required_hardware == "true"
    assert tests["test_api_listing"].tags == ("advanced",)
    assert tests["test_api_listing"].required_hardware == "false"


def test_missing_attr_and_string_tags(checkout: Path) -> None:
    suite = scan_checkout(checkout).by_path["component/maint/test_redundant_router.py"]
    tests = {t.name: t for t in suite.tests}
    assert tests["test_failover"].tags == ("advanced", "advancedns")
    assert tests["test_failover"].required_hardware is None
    assert tests["test_untagged"].tags == ()


def test_marvin_usage_is_recorded(checkout: Path) -> None:
    suite = scan_checkout(checkout).by_path["smoke/test_vpc_redundant.py"]
    assert suite.lib_classes == ("Account", "NetworkACL", "Router", "VPC")
    assert {"listRouters", "stopRouter"} <= set(suite.api_commands)
    assert suite.helpers == ("get_process_status", "list_routers")
    assert "marvin.lib.base" in suite.imports
    future = scan_checkout(checkout).by_path["smoke/test_vpn_future.py"]
    assert "createVpnConnection" in future.api_commands


def test_catalog_round_trips_through_yaml(checkout: Path, tmp_path: Path) -> None:
    catalog = scan_checkout(checkout)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(catalog.to_dict()))
    loaded = load_catalog(path)
    assert loaded.suites == catalog.suites


def test_not_a_checkout_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="has no test/integration"):
        scan_checkout(tmp_path)


def test_cli_catalog_formats(cli, checkout: Path, tmp_path: Path) -> None:
    text = cli("catalog", "--cloudstack", str(checkout))
    assert text.code == 0
    assert "smoke/test_vpc_redundant.py" in text.out and "4 suites" in text.out
    data = json.loads(cli("catalog", "--cloudstack", str(checkout), "--format", "json").out)
    assert data["schema_version"] == 1 and len(data["suites"]) == 4
    out = tmp_path / "c.yaml"
    written = cli("catalog", "--cloudstack", str(checkout), "--format", "yaml", "-o", str(out),
                  "--commit", "deadbeef", "--source", "synthetic")
    assert written.code == 0 and written.out == ""
    saved = load_catalog(out)
    assert saved.meta["commit"] == "deadbeef" and len(saved.suites) == 4


def test_snapshot_is_the_real_main_catalog() -> None:
    catalog = snapshot_catalog()
    assert catalog.meta["commit"].startswith("3d6cafe1")
    assert "snapshot catalog-main.yaml" in catalog.label
    rvpc = {t.name: t for t in catalog.by_path["smoke/test_vpc_redundant.py"].tests}
    assert rvpc["test_02_redundant_VPC_default_routes"].required_hardware == "true"
    maint = catalog.by_path["component/maint/test_redundant_router.py"]
    assert all(t.required_hardware is None for t in maint.tests)
    assert isinstance(catalog, Catalog) and len(catalog.suites) > 300
