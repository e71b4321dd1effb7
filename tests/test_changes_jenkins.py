"""Jenkins pull-request variables (ghprb and multibranch) as the change source."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.test_changes_git import commit, git, write
from vrtest.errors import UsageError
from vrtest.selector.jenkins import detect

GHPRB = {"ghprbPullId": "887", "ghprbTargetBranch": "4.20", "ghprbActualCommit": "abc",
         "ghprbPullTitle": "Fix VR", "ghprbSourceBranch": "fix", "ghprbGhRepository": "o/cs"}
MULTI = {"CHANGE_ID": "12", "CHANGE_TARGET": "main", "GIT_COMMIT": "def",
         "CHANGE_TITLE": "t", "CHANGE_BRANCH": "PR-12",
         "CHANGE_URL": "https://github.com/apache/cloudstack/pull/12"}


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, None),
    ({"BUILD_NUMBER": "4", "GIT_COMMIT": "abc"}, None),  # a branch build, not a PR
    (GHPRB, ("ghprb", 887, "4.20", "abc", "o/cs")),
    ({"ghprbPullId": "5"}, ("ghprb", 5, None, None, None)),
    ({"ghprbPullId": "5", "GIT_COMMIT": "c1"}, ("ghprb", 5, None, "c1", None)),
    (MULTI, ("multibranch", 12, "main", "def", "apache/cloudstack")),
    ({"CHANGE_ID": "3"}, ("multibranch", 3, None, None, None)),
    ({**MULTI, **GHPRB}, ("ghprb", 887, "4.20", "abc", "o/cs")),  # ghprb wins when both
])
def test_detect_variable_combinations(environ: dict[str, str], expected: tuple | None) -> None:
    found = detect(environ)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.flavour, found.pr, found.target, found.commit, found.repo) == expected
        assert found.source()["kind"] == "jenkins"


def test_non_numeric_pr_variable_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="CHANGE_ID='feature-x'"):
        detect({"CHANGE_ID": "feature-x"})


def test_no_source_and_no_jenkins_is_a_usage_error(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*GHPRB, *MULTI]:
        monkeypatch.delenv(name, raising=False)
    result = cli("select")
    assert result.code == 2 and "no change given" in result.err


def test_ghprb_job_diffs_the_workspace_against_origin_target(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    git(upstream, "init", "-q", "-b", "main")
    write(upstream, "systemvm/debian/etc/ipsec.conf", "a\n")
    commit(upstream, "base")
    workspace = tmp_path / "ws"
    subprocess.run(["git", "clone", "-q", str(upstream), str(workspace)], check=True)
    write(workspace, "systemvm/debian/etc/ipsec.conf", "b\n")
    commit(workspace, "pr")
    head = git(workspace, "rev-parse", "HEAD").strip()
    for name in MULTI:
        monkeypatch.delenv(name, raising=False)
    result = cli("select", "--repo", str(workspace), "--format", "json",
                 env={"ghprbPullId": "31", "ghprbTargetBranch": "main",
                      "ghprbActualCommit": head})
    assert result.code == 0, result.err
    assert '"systemvm/debian/etc/ipsec.conf"' in result.out
    assert '"kind": "jenkins"' in result.out and '"pr": 31' in result.out
    assert "smoke/test_vpc_vpn.py" in result.out
