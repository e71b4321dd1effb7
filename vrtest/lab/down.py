"""``vrtest lab down``: remove exactly what the state file recorded, even after a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

from vrtest.console import Console
from vrtest.lab.config import LabConfig
from vrtest.lab.netns import (
    delete_link,
    delete_netns,
    kill_pids,
    netns_pids,
    require_root,
    stop_all,
    unmount,
)
from vrtest.lab.paths import LabPaths
from vrtest.lab.state import LabState, locked


def lab_down(config: LabConfig, console: Console) -> bool:
    """Tear the lab down; False when there was nothing to remove."""
    require_root()
    paths = LabPaths.of(config)
    if not paths.state_file.exists():
        return False
    with locked(paths.lab_dir):
        state = LabState.load(paths.state_file)
        if not state.exists:
            return False
        with console.status(f"removing lab {config.prefix}"):
            teardown(paths, state, console)
    return True


def teardown(paths: LabPaths, state: LabState, console: Console) -> None:
    """Stop recorded processes, unmount, delete namespaces and links, then the state itself."""
    state.set("phase", "stopping")
    processes = state.processes()
    stop_all(processes.values())
    for key in processes:
        state.forget_process(key)
    namespaces = list(state.data.get("namespaces", []))
    for name in namespaces:
        kill_pids(netns_pids(name))  # leftovers (e.g. keepalived's children) by PID
    for mount in reversed(list(state.data.get("mounts", []))):
        unmount(Path(mount))
        state.forget("mounts", mount)
    for name in reversed(namespaces):
        delete_netns(name)
        state.forget("namespaces", name)
    for link in list(state.data.get("links", [])):
        delete_link(link)
        state.forget("links", link)
    console.debug(f"removed lab {paths.prefix}")
    shutil.rmtree(paths.lab_dir, ignore_errors=True)
