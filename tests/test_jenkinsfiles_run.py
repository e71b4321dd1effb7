"""The Jenkinsfiles beyond reading them: Groovy parses them, and their shell steps run under bash
with PR-controlled and hostile values (shims stand in for pip; vrtest is real where it can be)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.test_report_merge import _shard, _suite
from vrtest.results import Outcome

CI = REPO_ROOT / "ci"
SCRIPT = re.compile(r"script: '''\n(.*?)'''|sh '''\n(.*?)'''", re.S)
PARSE_ONLY = """
import org.codehaus.groovy.control.*
def failed = 0
args.each { path ->
  def unit = new CompilationUnit()
  unit.addSource(new File(path))
  try { unit.compile(Phases.CONVERSION); println "ok ${path}" }
  catch (CompilationFailedException e) { failed++; println "FAIL ${path}: ${e.message}" }
}
System.exit(failed ? 1 : 0)
"""


def _java_home() -> str | None:
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else None


@pytest.mark.skipif(not shutil.which("groovy"), reason="groovy not installed (.ci/run installs it)")
def test_both_jenkinsfiles_parse_as_groovy_and_a_broken_one_does_not(tmp_path: Path) -> None:
    checker = tmp_path / "parse.groovy"
    checker.write_text(PARSE_ONLY)
    broken = tmp_path / "Jenkinsfile.broken"
    broken.write_text((CI / "Jenkinsfile.pr").read_text().replace("steps {", "steps {{", 1))
    env = {**os.environ, "JAVA_HOME": os.environ.get("JAVA_HOME") or _java_home() or ""}
    files = [CI / "Jenkinsfile.pr", CI / "Jenkinsfile.nightly", broken]
    done = subprocess.run(["groovy", str(checker), *map(str, files)], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    lines = done.stdout.splitlines()
    assert f"ok {CI / 'Jenkinsfile.pr'}" in lines, done.stdout + done.stderr
    assert f"ok {CI / 'Jenkinsfile.nightly'}" in lines
    assert any(line.startswith(f"FAIL {broken}") for line in lines)


def _scripts(name: str) -> list[str]:
    return [a or b for a, b in SCRIPT.findall((CI / name).read_text())]


def _bin(tmp_path: Path, real_vrtest: bool = False) -> Path:
    """python3 (pip is a no-op, the rest is this Python) and vrtest (records argv, or real)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text(
        '#!/bin/sh\n[ "$1 $2" = "-m pip" ] && exit 0\n' f'exec {sys.executable} "$@"\n')
    record = tmp_path / "vrtest-calls.jsonl"
    recorder = (f"#!{sys.executable}\nimport json, sys\n"
                f"open({str(record)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n")
    real = f'#!/bin/sh\nexec {sys.executable} -m vrtest "$@"\n'
    (bin_dir / "vrtest").write_text(real if real_vrtest else recorder)
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def _bash(script: str, tmp_path: Path, bin_dir: Path, **variables: str) -> None:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path),
           "PYTHONPATH": str(REPO_ROOT), **variables}
    done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _calls(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "vrtest-calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_pr_job_passes_parameters_as_single_words_and_never_runs_pr_text(tmp_path: Path) -> None:
    (script,) = _scripts("Jenkinsfile.pr")[:1]
    hostile = "$(touch pwned-title)`touch pwned-tick`; touch pwned-semicolon"
    _bash(script, tmp_path, _bin(tmp_path), PR_ID="887", VRTEST_ENV="lab kvm; touch pwned-env",
          RERUNS="1", OUT="vrtest-out", WORKSPACE=str(tmp_path), ghprbPullTitle=hostile,
          ghprbSourceBranch=hostile, CHANGE_TITLE=hostile)
    assert _calls(tmp_path) == [["run", "--pr", "887", "--env", "lab kvm; touch pwned-env",
                                 "--cloudstack", str(tmp_path), "--output", "vrtest-out",
                                 "--rerun-failures", "1"]]
    assert not list(tmp_path.glob("pwned*"))


def test_pr_job_comment_step_names_the_repo_from_ghprb_or_the_default(tmp_path: Path) -> None:
    comment = next(s for s in _scripts("Jenkinsfile.pr") if "report comment" in s)
    again = tmp_path / "again"
    again.mkdir()
    _bash(comment, tmp_path, _bin(tmp_path), PR_ID="887")
    _bash(comment, again, _bin(again), PR_ID="887", ghprbGhRepository="shapeblue/cloudstack")
    expected = ["report", "comment", "vrtest-out", "--pr", "887", "--github-repo"]
    assert _calls(tmp_path) == [[*expected, "apache/cloudstack"]]
    assert _calls(again) == [[*expected, "shapeblue/cloudstack"]]


@pytest.mark.parametrize("previous", [False, True])
def test_nightly_shard_passes_durations_only_when_last_night_left_them(tmp_path: Path,
                                                                       previous: bool) -> None:
    shard_script = _scripts("Jenkinsfile.nightly")[0]
    if previous:  # durations are kept per hypervisor kind, whichever zone ran the shard
        durations = tmp_path / "previous/durations/lab-kvm/results.jsonl"
        durations.parent.mkdir(parents=True)
        durations.write_text("")
    _bash(shard_script, tmp_path, _bin(tmp_path), KIND="lab-kvm", VRTEST_ENV="lab-kvm-b",
          SHARD="2/3", OUT="out/lab-kvm-2")
    expected = ["run", "--all", "--env", "lab-kvm-b", "--shard", "2/3", "--output",
                "out/lab-kvm-2", "--rerun-failures", "1"]
    if previous:
        expected += ["--durations", "previous/durations/lab-kvm/results.jsonl"]
    assert _calls(tmp_path) == [expected]


def test_nightly_merge_writes_the_report_and_next_nights_durations(tmp_path: Path) -> None:
    merge_script = _scripts("Jenkinsfile.nightly")[1]
    for env_name in ("lab-kvm", "lab-xen", "lab-vmware"):
        for k in (1, 2, 3):
            _shard(tmp_path / "out" / f"{env_name}-{k}", f"{k}/3",
                   [_suite(f"smoke/s{k}.py", Outcome.PASSED, Outcome.FAILED)])
    _bash(merge_script, tmp_path, _bin(tmp_path, real_vrtest=True))
    assert (tmp_path / "merged" / "junit.xml").is_file()
    assert (tmp_path / "merged" / "report.html").is_file()
    for env_name in ("lab-kvm", "lab-xen", "lab-vmware"):
        # what the next night's copyArtifacts filter ("durations/<env>/results.jsonl") expects
        lines = (tmp_path / "durations" / env_name / "results.jsonl").read_text().splitlines()
        assert sorted(json.loads(line)["name"] for line in lines) == [
            "smoke/s1.py", "smoke/s2.py", "smoke/s3.py"]


def test_every_job_locks_the_zone_under_the_name_vrtest_gives(cli) -> None:
    for name in ("Jenkinsfile.pr", "Jenkinsfile.nightly"):
        text = (CI / name).read_text()
        assert "sh(returnStdout: true, script: 'vrtest env lock \"$VRTEST_ENV\"')" in text, name
        assert "lock(resource: zoneLock) {" in text, name
    result = cli("env", "lock", "lab-kvm", "--envs-dir", str(REPO_ROOT / "environments"))
    assert result.code == 0 and result.out == "vrtest-zone-lab-kvm-kvm-zone1\n"


def test_the_matrix_jenkinsfile_takes_the_same_zone_lock(cli) -> None:
    result = cli("matrix", "--plan", "lab", "--jenkinsfile")
    assert result.code == 0, result.err
    assert "lock(resource: 'vrtest-zone-local-local-zone')" in result.out


def test_lock_names_are_safe_for_any_descriptor() -> None:
    from vrtest.environment.locks import zone_lock_name

    assert zone_lock_name("lab kvm", "zone/1") == "vrtest-zone-lab-kvm-zone-1"
    assert zone_lock_name("sim", "") == "vrtest-zone-sim-default"
