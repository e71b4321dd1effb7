"""Marvin config render and import: Marvin's loader accepts it, and import round-trips."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT
from vrtest.environment import load_environment
from vrtest.environment.marvin_config import render_marvin_config
from vrtest.environment.marvin_import import import_marvin_config, read_marvin_config
from vrtest.errors import ConfigError

DATA = Path(__file__).parent / "data" / "marvin"
CONFIGS = sorted(DATA.glob("*.cfg"))
ENVIRONMENTS = REPO_ROOT / "environments"


class MarvinObject:
    """What Marvin's jsonHelper.jsonLoader makes of a JSON object: attributes."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)


def marvin_get_setup_config(path: Path) -> Any:
    """Emulates configGenerator.getSetupConfig: strip '#' lines, json-load into objects."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    kept = [line for line in lines if not line.startswith("#")]
    return json.loads("\n".join(kept), object_hook=MarvinObject)


def marvin_host_credentials(config: Any, hostip: str) -> tuple[str, str] | None:
    """Emulates marvin.lib.utils.get_host_credentials (without DNS lookups)."""
    for zone in config.zones:
        for pod in zone.pods:
            for cluster in pod.clusters:
                for host in cluster.hosts:
                    url = str(host.url)
                    name = urlsplit(url).netloc if url.startswith("http") else url
                    if name == hostip:
                        return host.username, host.password
    return None


def read_deploy_shapes(config: Any) -> list[str]:
    """Touch every attribute deployDataCenter reads; return a flat trace of them."""
    trace = [config.logger.LogFolderPath]
    # Required: real Marvin's test client reads dbSvr even with no database (init fails without).
    trace += [config.dbSvr.dbSvr, str(config.dbSvr.port), config.dbSvr.user, config.dbSvr.db]
    trace += [f"{g.name}={g.value}" for g in config.globalConfig]
    for server in config.mgtSvr:
        trace += [server.mgtSvrIp, str(server.port), server.useHttps, server.hypervisor]
    for zone in config.zones:
        trace += [zone.name, zone.networktype, zone.dns1, zone.internaldns1]
        for net in zone.physical_networks:
            trace += [net.name, net.broadcastdomainrange]
            trace += [t.typ for t in net.traffictypes] + [p.name for p in net.providers]
        trace += [f"{r.startip}-{r.endip}/{r.netmask} gw {r.gateway}" for r in zone.ipranges]
        for pod in zone.pods:
            trace += [pod.name, pod.startip, pod.endip, pod.netmask, pod.gateway]
            for cluster in pod.clusters:
                trace += [cluster.clustername, cluster.hypervisor, cluster.clustertype]
                trace += [f"{h.url} {h.username}" for h in cluster.hosts]
                trace += [f"{p.name} {p.url}" for p in cluster.primaryStorages]
        trace += [f"{s.url} {s.provider}" for s in zone.secondaryStorages]
    return trace


@pytest.fixture
def kvm_env(monkeypatch: pytest.MonkeyPatch, secrets) -> dict[str, str]:
    values = {
        "VRTEST_KVM_API_KEY": "kvm-api-key-111",
        "VRTEST_KVM_SECRET_KEY": "kvm-secret-222",
        "VRTEST_KVM_MS_PASSWORD": "ms-pw-333",
        "VRTEST_KVM_DB_PASSWORD": "db-pw-444",
        "VRTEST_KVM_HOST_PASSWORD": "host-pw-555",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def test_lab_kvm_renders_what_marvin_reads(kvm_env: dict[str, str], tmp_path: Path) -> None:
    text = render_marvin_config(load_environment("lab-kvm", envs_dir=ENVIRONMENTS))
    (tmp_path / "lab-kvm.cfg").write_text(text)
    config = marvin_get_setup_config(tmp_path / "lab-kvm.cfg")
    trace = read_deploy_shapes(config)
    assert "kvm-zone1" in trace and "http://10.10.0.21 root" in trace
    assert config.mgtSvr[0].port == 8096
    assert config.mgtSvr[0].apiKey == "kvm-api-key-111"
    assert config.dbSvr.passwd == "db-pw-444"
    assert marvin_host_credentials(config, "10.10.0.22") == ("root", "host-pw-555")


@pytest.mark.parametrize("name", ["simulator", "lab-vmware", "lab-xen", "local"])
def test_every_shipped_environment_renders(name: str, monkeypatch, secrets, tmp_path) -> None:
    for variable in re.findall(r"\$\{(\w+)\}", (ENVIRONMENTS / f"{name}.yaml").read_text()):
        monkeypatch.setenv(variable, f"value-of-{variable.lower()}")
    text = render_marvin_config(load_environment(name, envs_dir=ENVIRONMENTS))
    (tmp_path / "out.cfg").write_text(text)
    assert read_deploy_shapes(marvin_get_setup_config(tmp_path / "out.cfg"))


def test_no_database_renders_marvins_own_db_defaults(secrets) -> None:
    data = json.loads(render_marvin_config(load_environment("local", envs_dir=ENVIRONMENTS)))
    # configGenerator.dbServer's defaults; Marvin connects only when a test queries the DB.
    assert data["dbSvr"] == {"dbSvr": "localhost", "port": 3306, "user": "cloud",
                             "passwd": "cloud", "db": "cloud"}


def test_vmware_render_has_vmwaredc_and_external_cluster(monkeypatch, secrets) -> None:
    monkeypatch.setenv("VRTEST_VCENTER_PASSWORD", "vc-pw-1")
    for name in ("API_KEY", "SECRET_KEY", "MS_PASSWORD", "DB_PASSWORD"):
        monkeypatch.setenv(f"VRTEST_VMWARE_{name}", f"v-{name}")
    monkeypatch.setenv("VRTEST_ESXI_PASSWORD", "esxi-pw")
    data = json.loads(render_marvin_config(load_environment("lab-vmware", envs_dir=ENVIRONMENTS)))
    zone = data["zones"][0]
    assert zone["vmwaredc"] == {
        "name": "vrtest-dc", "vcenter": "10.30.0.15",
        "username": "administrator@vsphere.local", "password": "vc-pw-1",
    }
    cluster = zone["pods"][0]["clusters"][0]
    assert cluster["clustertype"] == "ExternalManaged" and cluster["password"] == "vc-pw-1"
    assert zone["physical_networks"][0]["traffictypes"][0] == {
        "typ": "Guest", "vmware": "vSwitch0,,vmwaresvs"
    }


def test_simulator_matches_upstream_ci_shape(secrets) -> None:
    data = json.loads(render_marvin_config(load_environment("simulator", envs_dir=ENVIRONMENTS)))
    assert data["zones"][0]["name"] == "zim1"
    assert data["mgtSvr"][0]["port"] == 8096
    assert data["mgtSvr"][0]["hypervisor"] == "simulator"
    assert data["zones"][0]["pods"][0]["clusters"][0]["hosts"][0]["url"] == "http://sim1/c1/h1"


def test_template_escapes_quotes_in_values(tmp_path: Path, secrets, monkeypatch) -> None:
    monkeypatch.setenv("VRTEST_LOCAL_HOST_PASSWORD", 'p"a\\s}s{%')
    text = (ENVIRONMENTS / "local.yaml").read_text()
    (tmp_path / "q.yaml").write_text(text)
    data = json.loads(render_marvin_config(load_environment(str(tmp_path / "q.yaml"))))
    host = data["zones"][0]["pods"][0]["clusters"][0]["hosts"][0]
    assert host["password"] == 'p"a\\s}s{%'


def value_at(config: dict[str, Any], where: str) -> Any:
    """The value at a path like ``zones[0].pods[0].clusters[0].hosts[1].password``."""
    value: Any = config
    for name, index in re.findall(r"(\w+)(?:\[(\d+)\])?", where):
        value = value[name]
        if index:
            value = value[int(index)]
    return value


@pytest.mark.parametrize("cfg", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_import_then_render_round_trips(cfg: Path, tmp_path: Path, monkeypatch, secrets) -> None:
    import yaml

    original = read_marvin_config(cfg)
    result = import_marvin_config(cfg, name="imported")
    assert result.ignored == []
    text = yaml.safe_dump(result.descriptor, sort_keys=False)
    for variable, where in result.variables.items():
        monkeypatch.setenv(variable, str(value_at(original, where)))
    (tmp_path / "imported.yaml").write_text(text)
    rendered = json.loads(render_marvin_config(load_environment(str(tmp_path / "imported.yaml"))))
    assert rendered == original


@pytest.mark.parametrize("cfg", ["kvm-advanced.cfg", "vmware-advanced.cfg"])
def test_imported_descriptor_holds_no_secret_value(cfg: str, secrets) -> None:
    import yaml

    original = read_marvin_config(DATA / cfg)
    result = import_marvin_config(DATA / cfg, name="imported")
    text = yaml.safe_dump(result.descriptor)
    assert len(result.variables) >= 3
    for variable, where in result.variables.items():
        assert str(value_at(original, where)) not in text, where
        assert "${" + variable + "}" in text


def test_import_names_variables_by_role_and_shares_equal_values(secrets) -> None:
    result = import_marvin_config(DATA / "vmware-advanced.cfg", name="lab-vm")
    assert set(result.variables) == {
        "VRTEST_LAB_VM_VCENTER_PASSWORD", "VRTEST_LAB_VM_HOST_PASSWORD",
        "VRTEST_LAB_VM_HOST_PASSWORD_2", "VRTEST_LAB_VM_API_KEY", "VRTEST_LAB_VM_SECRET_KEY",
        "VRTEST_LAB_VM_MS_PASSWORD", "VRTEST_LAB_VM_DB_PASSWORD",
    }
    cluster = result.descriptor["zones"][0]["pods"][0]["clusters"][0]
    assert cluster["password"] == "${VRTEST_LAB_VM_VCENTER_PASSWORD}"
    assert result.descriptor["hypervisor"] == "vmware"


def test_inline_secrets_writes_values(secrets) -> None:
    result = import_marvin_config(DATA / "kvm-advanced.cfg", name="x", inline_secrets=True)
    assert result.variables == {}
    assert result.descriptor["database"]["password"] == "Db-S3cret-9"


def test_unmodelled_keys_are_reported(tmp_path: Path, secrets) -> None:
    text = (DATA / "kvm-advanced.cfg").read_text().replace(
        '"networktype": "Advanced",', '"networktype": "Advanced", "s3": {"bucket": "b"},'
    )
    (tmp_path / "extra.cfg").write_text(text)
    assert import_marvin_config(tmp_path / "extra.cfg", name="x").ignored == ["zones[0].s3"]


def test_bad_json_points_at_line(tmp_path: Path) -> None:
    (tmp_path / "bad.cfg").write_text('# header\n{\n  "zones": [,]\n}\n')
    with pytest.raises(ConfigError, match=r"bad.cfg:3: not valid JSON"):
        read_marvin_config(tmp_path / "bad.cfg")
