"""A real ``vrtest run`` sent SIGTERM or SIGINT mid-run keeps what finished, exits 143 or 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.run_support import make_checkout, standin_environ, write_env, write_selection


def _start(root: Path, *extra: str, parallel: bool = False) -> tuple[subprocess.Popen[str], Path]:
    make_checkout(root)
    env_file = write_env(root, root / "cloudstack", marvin={"parallel_safe": parallel})
    selection = write_selection(root, ["smoke/test_pass.py", "smoke/test_slow.py",
                                       "smoke/test_mixed.py"])
    out = root / "out"
    environ = {**os.environ, **standin_environ(root), "STANDIN_SLOW_SECONDS": "120"}
    process = subprocess.Popen(
        [sys.executable, "-m", "vrtest", "run", "--selection", str(selection), "--env",
         str(env_file), "--output", str(out), *extra],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marker = root / "state" / "slow-started"
    deadline = time.monotonic() + 30
    results = out / "results.jsonl"
    while not marker.exists() or not results.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail(f"the slow suite never started: {process.communicate()}")
        time.sleep(0.05)
    return process, out


@pytest.mark.parametrize(("sig", "code", "name"), [(signal.SIGTERM, 143, "SIGTERM"),
                                                    (signal.SIGINT, 130, "SIGINT")])
def test_signal_mid_run_writes_partial_reports(tmp_path: Path, sig: signal.Signals, code: int,
                                               name: str) -> None:
    process, out = _start(tmp_path)
    slow_pid = int((tmp_path / "state" / "slow-started").read_text())
    started = time.monotonic()
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert time.monotonic() - started < 10
    assert f"interrupted by {name}; finished results were kept" in err
    assert "Traceback" not in err
    names = [json.loads(line)["name"] for line in (out / "results.jsonl").read_text().splitlines()]
    assert names == ["smoke/test_pass.py"]  # finished; the killed suite is not recorded
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["smoke/test_pass.py"]
    assert json.loads((out / "run.json").read_text())["status"] == "interrupted"
    assert "partial: interrupted" in (out / "summary.md").read_text()
    with pytest.raises(ProcessLookupError):
        os.kill(slow_pid, 0)  # the suite's process group was stopped


def test_sigterm_with_parallel_suites_stops_every_group(tmp_path: Path) -> None:
    process, out = _start(tmp_path, "--jobs", "3", parallel=True)
    slow_pid = int((tmp_path / "state" / "slow-started").read_text())
    results = out / "results.jsonl"
    deadline = time.monotonic() + 30
    while len(results.read_text().splitlines()) < 2:  # both quick suites have finished
        assert time.monotonic() < deadline, results.read_text()
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    names = {json.loads(line)["name"] for line in (out / "results.jsonl").read_text().splitlines()}
    assert names == {"smoke/test_pass.py", "smoke/test_mixed.py"}  # the slow one never finished
    assert json.loads((out / "run.json").read_text())["status"] == "interrupted"
    with pytest.raises(ProcessLookupError):
        os.kill(slow_pid, 0)
