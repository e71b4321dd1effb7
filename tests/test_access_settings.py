"""vr_access settings and hop resolution from the shipped descriptors (KVM host, VMware MS)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT
from vrtest.access.settings import AccessSettings, hop_login_for
from vrtest.environment import load_environment
from vrtest.errors import ConfigError

ENVS = REPO_ROOT / "environments"
SECRETS = ("VRTEST_KVM_API_KEY", "VRTEST_KVM_SECRET_KEY", "VRTEST_KVM_HOST_PASSWORD",
           "VRTEST_KVM_MS_PASSWORD", "VRTEST_KVM_DB_PASSWORD", "VRTEST_VMWARE_API_KEY",
           "VRTEST_VMWARE_SECRET_KEY", "VRTEST_VMWARE_MS_PASSWORD", "VRTEST_VMWARE_DB_PASSWORD",
           "VRTEST_ESXI_PASSWORD", "VRTEST_VCENTER_PASSWORD")


@pytest.fixture(autouse=True)
def secret_values(monkeypatch: pytest.MonkeyPatch, secrets: object) -> None:
    for name in SECRETS:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")


def test_kvm_hops_through_the_routers_host_with_its_credentials() -> None:
    env = load_environment("lab-kvm", envs_dir=ENVS)
    settings = AccessSettings.from_environment(env)
    assert (settings.via, settings.mode, settings.port) == ("hypervisor-host", "forward", 3922)
    assert settings.key_on_hop == "/root/.ssh/id_rsa.cloud"
    assert (settings.connect_timeout, settings.command_timeout) == (10.0, 60.0)
    login = hop_login_for(env, settings, "10.10.0.22")
    assert login is not None
    assert (login.address, login.username, login.password) == (
        "10.10.0.22", "root", "value-of-vrtest_kvm_host_password")


def test_unknown_host_is_a_config_error() -> None:
    env = load_environment("lab-kvm", envs_dir=ENVS)
    with pytest.raises(ConfigError, match=r"no SSH credentials for hop 10\.99\.0\.1"):
        hop_login_for(env, AccessSettings.from_environment(env), "10.99.0.1")


def test_vmware_hops_through_the_management_server() -> None:
    env = load_environment("lab-vmware", envs_dir=ENVS)
    settings = AccessSettings.from_environment(env)
    assert settings.via == "management-server"
    assert settings.key_on_hop == "/var/cloudstack/management/.ssh/id_rsa"
    login = hop_login_for(env, settings, "10.30.0.99")  # whatever host runs the router
    assert login is not None
    assert (login.address, login.password) == ("10.30.0.10", "value-of-vrtest_vmware_ms_password")


def test_direct_has_no_hop_and_bad_values_are_config_errors() -> None:
    env = load_environment("lab-kvm", envs_dir=ENVS)
    assert hop_login_for(env, AccessSettings(via="direct", key_file="/k"), "10.10.0.21") is None
    with pytest.raises(ConfigError, match=r"vr_access\.host_key_policy"):
        AccessSettings(host_key_policy="sometimes")
