"""The Jenkinsfiles: PR-controlled text never reaches a shell; the documented commands are used."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

CI = REPO_ROOT / "ci"
SH_DOUBLE_QUOTED = re.compile(r'\bsh\s*(\(|\s)[^\n]*?script:\s*"|\bsh\s+"')


def test_shell_steps_are_single_quoted_so_groovy_never_interpolates() -> None:
    for name in ("Jenkinsfile.pr", "Jenkinsfile.nightly"):
        text = (CI / name).read_text()
        assert not SH_DOUBLE_QUOTED.search(text), name
        for variable in ("ghprbPullTitle", "CHANGE_TITLE", "ghprbSourceBranch", "CHANGE_BRANCH"):
            assert variable not in text, (name, variable)


def test_pr_job_validates_the_pr_number_and_maps_exit_codes() -> None:
    text = (CI / "Jenkinsfile.pr").read_text()
    assert "==~ /^[0-9]+$/" in text
    assert 'vrtest run --pr "$PR_ID" --env "$VRTEST_ENV"' in text
    assert 'vrtest report comment vrtest-out --pr "$PR_ID"' in text
    assert "junit" in text and "report.html" in text
    for code, result in (("'1'", "UNSTABLE"), ("'143'", "ABORTED")):
        assert code in text and result in text


def test_nightly_job_shards_then_merges() -> None:
    text = (CI / "Jenkinsfile.nightly").read_text()
    assert '--shard "$SHARD"' in text and "--durations" in text
    assert "vrtest report merge out/*-* --output merged" in text
    assert "parallel branches" in text
