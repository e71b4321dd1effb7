"""A ``lab up`` killed half-way: the next ``up`` removes its leftovers, ``down`` leaves nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.lab.conftest import lab_can_run, running, write_descriptor
from vrtest.lab.config import load_lab_config

pytestmark = pytest.mark.lab


def vrtest(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vrtest", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def wait_for_process(state_file: Path, key: str, timeout: float = 20) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            processes = json.loads(state_file.read_text()).get("processes", {})
        except (OSError, ValueError):
            processes = {}
        if key in processes:
            return dict(processes)
        time.sleep(0.02)
    raise AssertionError(f"{key} never started")


def test_killed_up_is_cleaned_by_the_next_up_and_down(tmp_path: Path) -> None:
    reason = lab_can_run()
    if reason:
        pytest.skip(f"the live lab {reason}")
    descriptor = write_descriptor(tmp_path, tag="c")
    config = load_lab_config(str(descriptor))
    up = subprocess.Popen(
        [sys.executable, "-m", "vrtest", "lab", "--env", str(descriptor), "up"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        orphans = wait_for_process(config.lab_dir / "state.json", "host/sshd")
    finally:
        os.kill(up.pid, signal.SIGKILL)
        up.wait()
    assert json.loads((config.lab_dir / "state.json").read_text())["phase"] == "starting"
    orphan_pids = [int(record["pid"]) for record in orphans.values()]
    assert all(running(pid) for pid in orphan_pids)

    again = vrtest("lab", "--env", str(descriptor), "up")
    assert again.returncode == 0, again.stderr
    assert "removing what an unfinished lab" in again.stderr
    assert not [pid for pid in orphan_pids if running(pid)]
    state = json.loads((config.lab_dir / "state.json").read_text())
    namespaces, pids = state["namespaces"], [p["pid"] for p in state["processes"].values()]

    down = vrtest("lab", "--env", str(descriptor), "down")
    assert down.returncode == 0 and "removed" in down.stdout
    assert not [n for n in namespaces if Path(f"/run/netns/{n}").exists()]
    assert not [pid for pid in pids if running(pid)]
    assert str(config.lab_dir) not in Path("/proc/self/mountinfo").read_text()
    assert f"{config.prefix}-mgmt" not in vrtest_links()


def vrtest_links() -> str:
    return subprocess.run(
        ["ip", "-o", "link", "show"], capture_output=True, text=True, check=True
    ).stdout


def test_a_failed_up_removes_what_it_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reason = lab_can_run()
    if reason:
        pytest.skip(f"the live lab {reason}")
    import io

    from vrtest.console import Console
    from vrtest.lab import up
    from vrtest.lab.netns import LabError

    def no_api(*args: object) -> None:
        raise LabError("the lab API server exited at start: simulated")

    monkeypatch.setattr(up, "start_api", no_api)
    config = load_lab_config(str(write_descriptor(tmp_path, tag="f")))
    err = io.StringIO()
    with pytest.raises(LabError, match="simulated"):
        up.lab_up(config, Console(io.StringIO(), err))
    assert "did not come up; removing what it had made" in err.getvalue()
    assert not config.lab_dir.exists()
    assert not [n for n in os.listdir("/run/netns") if n.startswith(f"{config.prefix}-")]
    assert f"{config.prefix}-mgmt" not in vrtest_links()
