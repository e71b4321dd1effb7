"""Each validation rule, on a small descriptor: one error, at the right line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from vrtest.environment import inspect_descriptor

BASE = """\
name: mini
hypervisor: kvm
management:
  api_url: http://10.0.0.10:8080/client/api
zones:
  - name: z1
    dns: [8.8.8.8]
    internal_dns: [10.0.0.1]
    public_ip_ranges:
      - {start: 10.0.2.10, end: 10.0.2.20, netmask: 255.255.255.0, gateway: 10.0.2.1}
    pods:
      - name: p1
        start: 10.0.0.100
        end: 10.0.0.150
        netmask: 255.255.255.0
        gateway: 10.0.0.1
        clusters:
          - name: c1
            hypervisor: KVM
            hosts:
              - {address: 10.0.0.21, password: pw}
capabilities:
  real_vrs: true
marvin:
  zone: z1
deploy:
  - {name: d, argv: [/bin/deploy, "{pr}", '{"json": 1}']}
"""


def errors_for(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mini.yaml"
    path.write_text(text)
    return [error.one_line() for error in inspect_descriptor(path).errors]


def test_base_is_valid(tmp_path: Path, secrets) -> None:
    assert errors_for(tmp_path, BASE) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("end: 10.0.2.20", "end: 10.0.3.20",
         "mini.yaml:10: zones[0].public_ip_ranges[0].end: 10.0.3.20 is outside 10.0.2.0/24"),
        ("zone: z1", "zone: z2", "mini.yaml:25: marvin.zone: no zone named 'z2' (zones: z1)"),
        ("{address: 10.0.0.21, password: pw}", "{address: 10.0.0.21}",
         "mini.yaml:21: zones[0].pods[0].clusters[0].hosts[0]: a host VR checks hop through"),
        ("hypervisor: kvm", "hypervisor: simulator",
         "mini.yaml:23: capabilities.real_vrs: the simulator runs no VR code"),
        ("hypervisor: kvm", "hypervisor: kvmm",
         "mini.yaml:2: hypervisor: 'kvmm' is not one of kvm, xenserver, vmware, simulator; "
         "did you mean 'kvm'?"),
        ('"{pr}"', '"{comit}"',
         "mini.yaml:27: deploy[0].argv[1]: unknown placeholder {comit}; use {pr}, {commit}"),
        ("marvin:\n", "lab: {prefix: x, management_cidr: 10.9.0.0/24, public_cidr: 10.9.1.0/24, "
         "link_local_cidr: 169.254.0.0/16, guest_cidr: 10.1.0.0/16, api_port: 1, state_dir: /x}\n"
         "marvin:\n", "mini.yaml:24: lab: a lab: block needs kind: lab"),
        ("capabilities:\n", "vr_access: {via: direct}\ncapabilities:\n",
         "mini.yaml:22: vr_access.via: via: direct needs vr_access.key_file"),
        ("  zone: z1\n", "  zone: z1\n  zone: z1\n", "mini.yaml:26: marvin: duplicate key 'zone'"),
        ("name: mini\n", "", "mini.yaml:1: name: is required"),
        ("internal_dns: [10.0.0.1]", "internal_dns: 10.0.0.1",
         "mini.yaml:8: zones[0].internal_dns: expected a list, got a string '10.0.0.1'"),
        ("api_url: http://10.0.0.10:8080/client/api", "api_url: ftp://10.0.0.10/",
         "mini.yaml:4: management.api_url: 'ftp://10.0.0.10/' is not an http:// or https:// URL"),
    ],
    ids=["range-outside", "marvin-zone", "host-login", "simulator-real", "enum",
         "placeholder", "lab-kind", "direct-key", "duplicate", "required", "type", "uri"],
)
def test_rule(tmp_path: Path, secrets, old: str, new: str, expected: str) -> None:
    assert old in BASE
    errors = errors_for(tmp_path, BASE.replace(old, new, 1))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{tmp_path}/{expected}"), errors[0]


def test_literal_dollar_brace_and_bad_reference(tmp_path: Path, secrets, monkeypatch) -> None:
    monkeypatch.setenv("MINI_PW", "from-env")
    text = BASE.replace("password: pw", "password: \"$${MINI_PW}\"")
    path = tmp_path / "mini.yaml"
    path.write_text(text)
    env = inspect_descriptor(path).environment
    assert env is not None and env.host_login("10.0.0.21").password == "${MINI_PW}"  # type: ignore[union-attr]
    path.write_text(BASE.replace("password: pw", "password: \"${MINI PW}\""))
    (error,) = inspect_descriptor(path).errors
    assert "mini.yaml:21: zones[0].pods[0].clusters[0].hosts[0].password: bad reference" in (
        error.one_line()
    )


def test_kind_is_extensible(tmp_path: Path, secrets, monkeypatch) -> None:
    from vrtest.environment import schema, validate

    monkeypatch.setattr(schema, "KINDS", (*schema.KINDS, "fastlane"))
    monkeypatch.setitem(schema.REQUIRED_BY_KIND, "fastlane", ())
    validate._validator.cache_clear()
    try:
        text = "name: fl\nkind: fastlane\nhypervisor: kvm\ncapabilities: {real_vrs: true}\n"
        assert errors_for(tmp_path, text) == []
        assert errors_for(tmp_path, text.replace("kind: fastlane\n", "")) == [
            f"{tmp_path / 'mini.yaml'}:1: management: is required"
        ]
    finally:
        validate._validator.cache_clear()
