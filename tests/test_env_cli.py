"""``vrtest env ...`` end to end (in-process), and where secrets may and may not appear."""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO_ROOT, CliRunner

ENVIRONMENTS = REPO_ROOT / "environments"
DATA = Path(__file__).parent / "data" / "marvin"
KVM_SECRETS = {
    "VRTEST_KVM_API_KEY": "kvm-api-key-Q1w2",
    "VRTEST_KVM_SECRET_KEY": "kvm-secret-E3r4",
    "VRTEST_KVM_MS_PASSWORD": "ms-pass-T5y6",
    "VRTEST_KVM_DB_PASSWORD": "db-pass-U7i8",
    "VRTEST_KVM_HOST_PASSWORD": "host-pass-O9p0",
}


@pytest.fixture
def envs(tmp_path: Path) -> Path:
    """A copy of the shipped descriptors to break at will."""
    target = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS, target)
    return target


def test_list_shows_the_six(cli: CliRunner) -> None:
    result = cli("env", "list", cwd=REPO_ROOT)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["NAME", "HYPERVISOR", "ZONES", "VR", "ACCESS", "CAPABILITIES",
                                "STATUS"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == ["fastlane", "lab-kvm", "lab-vmware", "lab-xen", "local", "simulator"]
    assert "management-server" in lines[3]
    assert "no real VRs" in lines[1] and "no real VRs" in lines[6]


def test_list_json(cli: CliRunner) -> None:
    result = cli("env", "list", "--format", "json", "--envs-dir", str(ENVIRONMENTS))
    items = {item["name"]: item for item in json.loads(result.out)}
    assert items["lab-kvm"]["valid"] is True
    assert "VRTEST_KVM_HOST_PASSWORD" in items["lab-kvm"]["unset_secrets"]
    assert items["simulator"]["real_vrs"] is False
    assert items["lab-xen"]["hypervisor"] == "xenserver"


def test_list_shows_first_error_of_a_broken_descriptor(cli: CliRunner, envs: Path) -> None:
    path = envs / "lab-xen.yaml"
    path.write_text(path.read_text().replace("gateway: 10.20.0.1\n", "gateway: 10.20.0.300\n"))
    result = cli("env", "list", "--envs-dir", str(envs))
    row = next(line for line in result.out.splitlines() if line.startswith("lab-xen"))
    assert "lab-xen.yaml:47: zones[0].pods[0].gateway: '10.20.0.300' is not an IPv4 address" in row


def test_validate_all_ok(cli: CliRunner) -> None:
    result = cli("env", "validate", cwd=REPO_ROOT)
    assert result.code == 0, result.err
    shipped = len(list((REPO_ROOT / "environments").glob("*.yaml")))
    assert shipped >= 6
    assert result.out.strip().endswith(f"{shipped} valid, 0 invalid")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  port: 3306\n", "  port: [3306\n",
         "lab-kvm.yaml:19: database.port: malformed YAML: expected ',' or ']'"),
        ("  suite_timeout: 3600\n", "  suite_timeout: an hour\n",
         "lab-kvm.yaml:76: marvin.suite_timeout: expected an integer, got a string 'an hour'"),
        ("  host_key_policy: accept-new", "  host_key_polcy: accept-new",
         "lab-kvm.yaml:59: vr_access.host_key_polcy: unknown key 'host_key_polcy'; "
         "did you mean 'host_key_policy'?"),
        ("        gateway: 10.10.0.1\n", "        gateway: 10.0.0.300\n",
         "lab-kvm.yaml:42: zones[0].pods[0].gateway: '10.0.0.300' is not an IPv4 address"),
        ("        end: 10.10.0.150\n", "        end: 10.10.0.50\n",
         "lab-kvm.yaml:39: zones[0].pods[0].start: range start 10.10.0.100 is after its end"),
        ("  via: hypervisor-host", "  via: management-server\n  # no management ssh",
         "lab-kvm.yaml:14: management.ssh"),
    ],
    ids=["bad-yaml", "wrong-type", "unknown-key", "bad-ip", "range", "semantic"],
)
def test_broken_descriptor_one_line_file_line_key(
    cli: CliRunner, envs: Path, old: str, new: str, expected: str
) -> None:
    path = envs / "lab-kvm.yaml"
    text = path.read_text()
    assert old in text
    if "no management ssh" in new:  # remove the ssh block so the semantic check fires
        text = text.replace(text[text.index("  ssh:\n"):text.index("\ndatabase:")], "")
        expected = "lab-kvm.yaml:51: vr_access.via: via: management-server needs management.ssh"
    path.write_text(text.replace(old, new))
    result = cli("env", "validate", str(path))
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if line.startswith("vrtest: error:")]
    assert expected in errors[0]
    assert "Traceback" not in result.err
    assert all(len(line.splitlines()) == 1 for line in errors)


def test_missing_secret_variable_exits_2_naming_it(cli: CliRunner, monkeypatch) -> None:
    for key in KVM_SECRETS:
        monkeypatch.delenv(key, raising=False)
    result = cli("env", "show", "lab-kvm", "--envs-dir", str(ENVIRONMENTS))
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "vrtest: error: "
        f"{os.path.relpath(ENVIRONMENTS / 'lab-kvm.yaml')}:9: management.api_key: "
        "environment variable VRTEST_KVM_API_KEY is not set "
        "(export VRTEST_KVM_API_KEY=... before running vrtest)"
    ]


def test_validate_require_secrets_fails_when_unset(cli: CliRunner, monkeypatch) -> None:
    for key in KVM_SECRETS:
        monkeypatch.delenv(key, raising=False)
    result = cli("env", "validate", "lab-kvm", "--require-secrets", "--envs-dir", str(ENVIRONMENTS))
    assert result.code == 2
    assert "VRTEST_KVM_HOST_PASSWORD is not set" in result.err


def test_unknown_environment_did_you_mean(cli: CliRunner) -> None:
    result = cli("env", "show", "simulatr", cwd=REPO_ROOT)
    assert result.code == 2
    assert "unknown environment 'simulatr'; did you mean 'simulator'?" in result.err


def test_secrets_masked_in_show_list_logs_and_errors(
    cli: CliRunner, capsys: pytest.CaptureFixture[str], envs: Path
) -> None:
    shown = cli("-vv", "env", "show", "lab-kvm", "--envs-dir", str(envs), env=KVM_SECRETS)
    shown_json = cli("env", "show", "lab-kvm", "--format", "json", "--envs-dir", str(envs))
    listed = cli("env", "list", "--format", "json", "--envs-dir", str(envs))
    logging.getLogger("vrtest.test").warning("api key is %s", KVM_SECRETS["VRTEST_KVM_API_KEY"])
    path = envs / "lab-kvm.yaml"
    path.write_text(path.read_text().replace("zone: kvm-zone1", "zone: ${VRTEST_KVM_DB_PASSWORD}"))
    failed = cli("env", "validate", str(path))
    logs = capsys.readouterr().err
    assert shown.code == 0 and shown_json.code == 0 and failed.code == 2
    assert "api_key: ****" in shown.out
    assert json.loads(shown_json.out)["management"]["secret_key"] == "****"
    assert "no zone named '****'" in failed.err
    assert "api key is ****" in logs and "secret references" in logs
    everything = "".join(r.out + r.err for r in (shown, shown_json, listed, failed)) + logs
    for value in KVM_SECRETS.values():
        assert value not in everything


def test_marvin_config_carries_secrets_only_there(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("env", "marvin-config", "lab-kvm", "--envs-dir", str(ENVIRONMENTS),
                 env=KVM_SECRETS)
    assert result.code == 0, result.err
    config = json.loads(result.out)
    hosts = config["zones"][0]["pods"][0]["clusters"][0]["hosts"]
    assert hosts[0]["password"] == KVM_SECRETS["VRTEST_KVM_HOST_PASSWORD"]
    assert config["mgtSvr"][0]["securityKey"] == KVM_SECRETS["VRTEST_KVM_SECRET_KEY"]
    output = tmp_path / "lab-kvm.cfg"
    written = cli("env", "marvin-config", "lab-kvm", "-o", str(output),
                  "--envs-dir", str(ENVIRONMENTS))
    assert json.loads(output.read_text()) == config
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert KVM_SECRETS["VRTEST_KVM_DB_PASSWORD"] not in written.out + written.err


def test_import_marvin_then_render_round_trips(cli: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "envs" / "dev.yaml"
    output.parent.mkdir()
    imported = cli("env", "import-marvin", str(DATA / "kvm-advanced.cfg"), "-o", str(output))
    assert imported.code == 0, imported.err
    assert "VRTEST_DEV_DB_PASSWORD" in imported.err
    assert "Db-S3cret-9" not in output.read_text() + imported.err + imported.out
    assert cli("env", "validate", str(output)).code == 0
    secrets = {"VRTEST_DEV_DB_PASSWORD": "Db-S3cret-9", "VRTEST_DEV_MS_PASSWORD": "Ms-R00t-Pw",
               "VRTEST_DEV_HOST_PASSWORD": "Kvm-H0st-P4ss!"}
    rendered = cli("env", "marvin-config", "dev", "--envs-dir", str(output.parent), env=secrets)
    assert rendered.code == 0, rendered.err
    original = "\n".join(
        line for line in (DATA / "kvm-advanced.cfg").read_text().splitlines()
        if not line.strip().startswith("#")
    )
    assert json.loads(rendered.out) == json.loads(original)


def test_schema_is_a_valid_json_schema(cli: CliRunner) -> None:
    result = cli("env", "schema")
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "zones" in schema["properties"]
    assert schema["properties"]["vr_access"]["additionalProperties"] is False


def test_env_help_has_examples(cli: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli("env", "list", "--help")
    assert result.code == 0
    assert "vrtest env marvin-config lab-kvm -o" in capsys.readouterr().out


def test_show_json_has_defaults_filled_and_no_nulls(cli: CliRunner) -> None:
    result = cli("env", "show", "simulator", "--format", "json", "--envs-dir", str(ENVIRONMENTS))
    data = json.loads(result.out)
    assert data["vr_access"]["port"] == 3922
    assert data["marvin"]["zone"] == "zim1"
    assert "null" not in result.out


def test_import_marvin_never_overwrites_without_force(cli: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "mine.yaml"
    output.write_text("name: mine  # hand-written, must survive\n")
    refused = cli("env", "import-marvin", str(DATA / "kvm-advanced.cfg"), "-o", str(output))
    assert refused.code == 2 and "already exists" in refused.err
    assert output.read_text() == "name: mine  # hand-written, must survive\n"
    forced = cli("env", "import-marvin", str(DATA / "kvm-advanced.cfg"), "-o", str(output),
                 "--force")
    assert forced.code == 0 and output.read_text().startswith("# Imported by")


def test_quick_start_in_a_real_process() -> None:
    import subprocess
    import sys

    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("VRTEST_ENV_PATH", None)
    proc = subprocess.run([sys.executable, "-m", "vrtest", "env", "list"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    assert [line.split()[0] for line in proc.stdout.splitlines()[1:]] == [
        "fastlane", "lab-kvm", "lab-vmware", "lab-xen", "local", "simulator"]
    assert "\x1b[" not in proc.stdout + proc.stderr


def test_env_path_with_several_directories(cli: CliRunner, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for directory, name in ((first, "alpha"), (second, "beta")):
        directory.mkdir()
        shutil.copy(ENVIRONMENTS / "simulator.yaml", directory / f"{name}.yaml")
    result = cli("env", "validate", "alpha", "beta", "--format", "json",
                 env={"VRTEST_ENV_PATH": f"{first}{os.pathsep}{second}"}, cwd=tmp_path)
    assert result.code == 0, result.err
    assert [(item["name"], item["valid"]) for item in json.loads(result.out)] == [
        ("alpha", True), ("beta", True)]


def test_marvin_config_tightens_an_existing_files_mode(cli: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "sim.cfg"
    output.write_text("old")
    output.chmod(0o644)
    result = cli("env", "marvin-config", "simulator", "-o", str(output),
                 "--envs-dir", str(ENVIRONMENTS))
    assert result.code == 0, result.err
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert json.loads(output.read_text())["zones"][0]["name"] == "zim1"


def test_show_json_masks_secrets_with_quotes_and_backslashes(cli: CliRunner) -> None:
    quoted = {**KVM_SECRETS, "VRTEST_KVM_DB_PASSWORD": 'db "pw" \\ 9k'}
    result = cli("env", "show", "lab-kvm", "--format", "json", "--envs-dir", str(ENVIRONMENTS),
                 env=quoted)
    assert result.code == 0, result.err
    assert "db \\\"pw\\\"" not in result.out
    assert json.loads(result.out)["database"]["password"] == "****"
