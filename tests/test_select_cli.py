"""``vrtest select`` end to end: explanations, formats, escaping, exit codes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from tests.test_catalog_scan import checkout  # noqa: F401 (fixture)
from vrtest.selector.selection import Selection

RVR = "systemvm/debian/opt/cloud/bin/cs/CsRedundant.py"
CONTRACT = {"changed", "areas", "suites", "checks", "unmatched", "fallback", "source",
            "catalog", "not_verified"}


def test_text_explains_every_path(cli) -> None:
    result = cli("select", "--files", RVR, "ui/src/App.vue")
    assert result.code == 0
    assert f"{RVR} -> smoke/test_vpc_redundant.py" in result.out
    assert "[vr-redundant: redundant routers" in result.out
    assert "ui/src/App.vue -> nothing [no rule matches; not a VR path]" in result.out
    assert "catalog: snapshot catalog-main.yaml" in result.out
    assert "VR checks:" in result.out and "redundant-state" in result.out
    assert "selected " in result.out.splitlines()[-1]


def test_whole_vr_set_decision_names_the_count_and_lists_suites_once(cli) -> None:
    configure = "systemvm/debian/opt/cloud/bin/configure.py"
    out = cli("select", "--files", configure).out
    assert re.search(rf"{re.escape(configure)} -> \d+ suites \(listed below\), default-route", out)
    assert out.count("smoke/test_vpc_vpn.py") == 1
    assert "vr-baseline: any VR change" in out and "+ vr-baseline" not in out


def test_non_vr_change_says_so_and_exits_0(cli) -> None:
    result = cli("select", "--files", "ui/src/App.vue", "docs/index.md")
    assert result.code == 0
    assert "no VR impact: 2 changed file(s) select no suites" in result.out


def test_unmapped_vr_path_warns_on_stderr(cli) -> None:
    result = cli("select", "--files", "systemvm/debian/opt/cloud/bin/newfeature.sh")
    assert result.code == 0
    assert "vrtest: warning: unmapped VR path systemvm/debian/opt/cloud/bin/newfeature.sh" in \
        result.err
    assert "[fallback: whole VR set]" in result.out


def test_json_is_the_documented_contract(cli) -> None:
    data = json.loads(cli("select", "--files", RVR, "--format", "json").out)
    assert set(data) >= CONTRACT
    assert data["changed"] == [RVR]
    # CsRedundant.py also moves the password server on redundant routers (PR 2635)
    assert data["areas"] == [{"name": "redundant-vr", "files": [RVR]},
                             {"name": "dhcp-dns-password-userdata", "files": [RVR]}]
    suite = next(s for s in data["suites"] if s["path"] == "smoke/test_vpc_redundant.py")
    assert set(suite) == {"path", "tests", "reasons"} and suite["tests"] and suite["reasons"]
    assert {c["name"] for c in data["checks"]} == {"redundant-state", "default-route",
                                                  "iptables-policy", "services"}
    assert data["fallback"] is False and data["source"] == {"kind": "files"}
    assert Selection.from_dict(data).to_dict() == data


def test_markdown_escapes_pr_controlled_file_names(cli) -> None:
    hostile = "systemvm/debian/opt/cloud/bin/<img src=x onerror=alert(1)>|`rm`*_[x](y).py"
    result = cli("select", "--files", hostile, "--format", "markdown")
    assert result.code == 0
    assert "<img" not in result.out
    escaped = "&lt;img src=x onerror=alert(1)&gt;\\|\\`rm\\`\\*\\_\\[x\\](y).py"
    assert escaped in result.out
    table_rows = [line for line in result.out.splitlines()
                  if "onerror" in line and line.startswith("|")]
    assert table_rows
    assert all(line.count("|") - line.count("\\|") == 4 for line in table_rows)


def test_markdown_pr_comment_names_counts_in_its_decision_table(cli) -> None:
    out = cli("select", "--files", RVR, "--format", "markdown").out
    decision = next(line for line in out.splitlines() if line.startswith(f"| {RVR} |"))
    assert "suites (listed below)" in decision and "smoke/test" not in decision
    assert "| smoke/test\\_vpc\\_redundant.py |" in out
    assert "\n\n\n" not in out


def test_output_file_and_files_from_stdin(cli, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{RVR}\n\n# comment\n./ui/x.vue\n"))
    target = tmp_path / "selection.json"
    result = cli("select", "--files-from", "-", "--format", "json", "-o", str(target))
    assert result.code == 0 and result.out == ""
    saved = Selection.load(target)
    assert saved.changed == (RVR, "ui/x.vue")


def test_files_from_missing_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("select", "--files-from", str(tmp_path / "nope.txt"))
    assert result.code == 2 and "cannot read --files-from" in result.err


def test_two_sources_is_a_usage_error(cli) -> None:
    result = cli("select", "--files", "a", "--pr", "3")
    assert result.code == 2 and "give one change source" in result.err


ENVS = Path(__file__).resolve().parents[1] / "environments"


def test_env_filters_and_reports_not_verified(cli, tmp_path: Path) -> None:
    result = cli("select", "--files", RVR, "--env", "simulator", "--envs-dir", str(ENVS))
    assert result.code == 0, result.err
    assert "not verified here:" in result.out
    assert "simulator runs only required_hardware=false tests" in result.out
    assert "redundant-state: simulator has no real VRs" in result.out
    unknown = cli("select", "--files", RVR, "--env", "no-such-env",
                  "--envs-dir", str(tmp_path))
    assert unknown.code == 2 and "no-such-env" in unknown.err


def test_env_with_unset_secrets_still_selects(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VRTEST_KVM_API_KEY", raising=False)
    result = cli("select", "--files", RVR, "--env", "lab-kvm", "--envs-dir", str(ENVS),
                 "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert "smoke/test_vpc_redundant.py" in {s["path"] for s in data["suites"]}
    assert {c["name"] for c in data["checks"]} >= {"redundant-state"}


def test_cloudstack_checkout_catalog_wins(cli, checkout: Path) -> None:  # noqa: F811
    data = json.loads(cli("select", "--files", RVR, "--cloudstack", str(checkout),
                          "--format", "json").out)
    assert data["catalog"]["label"].startswith("checkout ")
    assert [s["path"] for s in data["suites"]] == [
        "component/maint/test_redundant_router.py", "smoke/test_vpc_redundant.py"]
    missing = {item["suite"] for item in data["not_verified"]}
    assert "smoke/test_routers_network_ops.py" in missing


def test_help_has_examples(cli, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli("select", "--help")
    out = capsys.readouterr().out
    assert result.code == 0 and "examples:" in out and "--files-from" in out


def test_an_empty_change_list_warns_instead_of_passing_silently(cli, tmp_path) -> None:
    empty = tmp_path / "changed.txt"
    empty.write_text("")
    result = cli("select", "--files-from", str(empty), "--format", "json")
    assert result.code == 0
    assert any("no changed files were given" in w for w in json.loads(result.out)["warnings"])
    assert "no changed files were given" in result.err
    docs = cli("select", "--files", "docs/README.md", "--format", "json")  # a real non-VR change
    assert json.loads(docs.out)["warnings"] == []
