"""Helpers for the fast-lane tests: the test tree, its broken variant, leftover checks."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

DATA = Path(__file__).parent / "data" / "fastlane"
TREE = DATA / "tree"
SCENARIOS = DATA / "scenarios"
BEGIN, END = "# VR-DEFAULT-ROUTE-BEGIN", "# VR-DEFAULT-ROUTE-END"


def copy_tree(dest: Path) -> Path:
    """A copy of the test VR tree laid out as a checkout (``dest/systemvm/debian``)."""
    target = dest / "systemvm" / "debian"
    shutil.copytree(TREE, target, symlinks=True)
    return target


def break_default_route(tree: Path) -> None:
    """Remove the default-route block, as the 2015 regression did to CsAddress.py."""
    script = tree / "opt/cloud/bin/update_config.py"
    lines = script.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if BEGIN in line)
    stop = next(i for i, line in enumerate(lines) if END in line)
    script.write_text("".join(lines[:start] + lines[stop + 1:]))


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity."""
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def leftovers(prefix: str, run_dir: Path) -> list[str]:
    """Namespaces, processes and mounts a fast-lane run with this prefix left behind."""
    found = []
    if os.path.isdir("/run/netns"):
        found += [f"netns {n}" for n in os.listdir("/run/netns") if n.startswith(prefix)]
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(run_dir) in cmdline:
            found.append(f"process {pid} {cmdline[:80]}")
    mounts = Path("/proc/self/mountinfo").read_text()
    found += [f"mount {line}" for line in mounts.splitlines() if str(run_dir) in line]
    return found
