"""The stranded-process detector the session fixture relies on finds what it must, only that."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests import leaks

pytestmark = pytest.mark.lab


def test_a_process_in_a_deleted_namespace_is_found_and_others_are_not() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (network namespaces)")
    name = f"vleak{os.getpid() % 100000}"
    since = leaks.start_time(os.getpid()) or 0
    subprocess.run(["ip", "netns", "add", name], check=True)
    inside = subprocess.Popen(["ip", "netns", "exec", name, "sleep", "60"])
    outside = subprocess.Popen(["sleep", "60"])
    try:
        assert inside.pid not in leaks.stranded(since)  # its namespace still exists
        subprocess.run(["ip", "netns", "del", name], check=True)
        found = leaks.stranded(since)
        assert found.get(inside.pid) == "sleep 60"
        assert outside.pid not in found
    finally:
        for process in (inside, outside):
            process.kill()
            process.wait()
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)
    assert inside.pid not in leaks.stranded(since)
