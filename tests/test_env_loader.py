"""Loading descriptors: lookup, secret references, the model other parts rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from vrtest.environment import (
    find_descriptor,
    inspect_descriptor,
    load_environment,
)
from vrtest.errors import ConfigError, UsageError
from vrtest.masking import SecretMasker, mask

ENVIRONMENTS = REPO_ROOT / "environments"
FIVE = ["lab-kvm", "lab-vmware", "lab-xen", "local", "simulator"]
KVM_SECRETS = {
    "VRTEST_KVM_API_KEY": "kvm-api-key-123",
    "VRTEST_KVM_SECRET_KEY": "kvm-secret-key-456",
    "VRTEST_KVM_MS_PASSWORD": "ms-pass-789",
    "VRTEST_KVM_DB_PASSWORD": "db-pass-012",
    "VRTEST_KVM_HOST_PASSWORD": "host-pass-345",
}


@pytest.fixture
def kvm_secrets(monkeypatch: pytest.MonkeyPatch, secrets: SecretMasker) -> dict[str, str]:
    """The lab-kvm secrets set in the environment."""
    for key, value in KVM_SECRETS.items():
        monkeypatch.setenv(key, value)
    return KVM_SECRETS


@pytest.mark.parametrize("name", FIVE)
def test_shipped_descriptors_are_valid(name: str, secrets: SecretMasker) -> None:
    inspection = inspect_descriptor(ENVIRONMENTS / f"{name}.yaml")
    assert inspection.errors == []
    assert inspection.environment is not None
    assert inspection.environment.name == name


def test_lab_kvm_model_fields(kvm_secrets: dict[str, str]) -> None:
    env = load_environment("lab-kvm", envs_dir=ENVIRONMENTS)
    assert env.hypervisor == "kvm"
    assert env.management is not None
    assert env.management.api_key == "kvm-api-key-123"
    assert env.management.integration_port == 8096
    assert env.zones[0].pods[0].clusters[0].hosts[0].address == "10.10.0.21"
    assert env.vr_access.via == "hypervisor-host"
    assert env.vr_access.port == 3922
    assert env.capabilities.network_kinds == frozenset({"isolated", "vpc", "redundant", "vpn"})
    assert env.marvin.zone == "kvm-zone1"
    assert env.deploy[0].argv[:3] == ("/opt/ci/deploy-pr.sh", "--pr", "{pr}")
    login = env.host_login("10.10.0.22")
    assert login is not None and login.password == "host-pass-345"
    assert env.host_login("10.99.0.1") is None


def test_every_resolved_secret_is_registered(kvm_secrets: dict[str, str]) -> None:
    load_environment("lab-kvm", envs_dir=ENVIRONMENTS)
    for value in kvm_secrets.values():
        assert mask(f"x {value} y") == "x **** y"


def test_vmware_defaults_to_management_server_hop(secrets: SecretMasker) -> None:
    env = inspect_descriptor(ENVIRONMENTS / "lab-vmware.yaml").environment
    assert env is not None
    assert env.vr_access.via == "management-server"
    assert env.vr_access.key_on_hop == "/var/cloudstack/management/.ssh/id_rsa"
    assert env.zones[0].vmwaredc is not None


def test_simulator_has_no_real_vrs(secrets: SecretMasker) -> None:
    env = load_environment("simulator", envs_dir=ENVIRONMENTS)
    assert env.capabilities.real_vrs is False
    assert env.marvin.required_hardware is False
    assert env.zones[0].name == "zim1"


def test_local_lab_block_and_defaults(secrets: SecretMasker, monkeypatch) -> None:
    monkeypatch.delenv("VRTEST_LOCAL_API_KEY", raising=False)
    env = load_environment("local", envs_dir=ENVIRONMENTS)
    assert env.kind == "lab"
    assert env.lab is not None and env.lab.api_port == 18096 and env.lab.routers == 1
    assert env.management is not None
    assert env.management.api_key == "vrtest-local-api-key"


def test_missing_secret_names_variable_file_line_and_key(secrets, monkeypatch) -> None:
    for key in KVM_SECRETS:
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ConfigError) as info:
        load_environment(str(ENVIRONMENTS / "lab-kvm.yaml"))
    text = info.value.one_line()
    assert "lab-kvm.yaml:9: management.api_key:" in text
    assert "VRTEST_KVM_API_KEY is not set" in text


def test_file_reference_is_relative_to_descriptor(tmp_path: Path, secrets) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "api").write_text("from-a-file-key\n")
    text = (ENVIRONMENTS / "local.yaml").read_text().replace(
        "${VRTEST_LOCAL_API_KEY:-vrtest-local-api-key}", "${file:keys/api}"
    )
    (tmp_path / "mine.yaml").write_text(text)
    env = load_environment(str(tmp_path / "mine.yaml"))
    assert env.management is not None and env.management.api_key == "from-a-file-key"
    assert mask("from-a-file-key") == "****"


def test_missing_secret_file_is_named(tmp_path: Path, secrets) -> None:
    text = (ENVIRONMENTS / "local.yaml").read_text().replace(
        "${VRTEST_LOCAL_API_KEY:-vrtest-local-api-key}", "${file:~/nope/api}"
    )
    (tmp_path / "mine.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"mine.yaml:\d+: management.api_key: secret file"):
        load_environment(str(tmp_path / "mine.yaml"))


def test_lookup_order_envs_dir_then_env_path_then_cwd(tmp_path: Path, monkeypatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for directory in (first, second):
        directory.mkdir()
        (directory / "twin.yaml").write_text("name: twin\n")
    (second / "only-second.yaml").write_text("name: x\n")
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("VRTEST_ENV_PATH", str(second))
    assert find_descriptor("twin", envs_dir=first) == first / "twin.yaml"
    assert find_descriptor("twin") == second / "twin.yaml"
    assert find_descriptor("only-second") == second / "only-second.yaml"
    assert find_descriptor("simulator") == Path("environments/simulator.yaml")


def test_unknown_name_lists_known_with_did_you_mean(monkeypatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.delenv("VRTEST_ENV_PATH", raising=False)
    with pytest.raises(UsageError) as info:
        find_descriptor("lab-kmv")
    text = info.value.one_line()
    assert "did you mean 'lab-kvm'?" in text
    assert "lab-vmware, lab-xen, local, simulator" in text
    assert info.value.exit_code == 2


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        find_descriptor(str(tmp_path / "nope.yaml"))


def test_descriptor_that_is_a_directory_says_so(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(UsageError) as info:
        find_descriptor(str(tmp_path / "dir.yaml"))
    assert "is a directory" in info.value.one_line()
    assert info.value.exit_code == 2
