"""The fast lane as a stage of ``vrtest run`` (environments of ``kind: fastlane``)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.environment import Environment
from vrtest.errors import ConfigError
from vrtest.fastlane.lane import LaneRequest, run_fastlane
from vrtest.fastlane.ns import require_root
from vrtest.fastlane.packages import default_cache_dir, package_root
from vrtest.fastlane.runner import Workspace, new_workspace
from vrtest.fastlane.scenario import list_scenarios
from vrtest.fastlane.select import scenarios_for
from vrtest.fastlane.tree import tree_at, vr_tree
from vrtest.results import SuiteResult


def run_fastlane_stage(env: Environment, selection: Mapping[str, Any],
                       cloudstack: str | Path | None, console: Console,
                       record: Callable[[SuiteResult], None],
                       done: Collection[str] = ()) -> int:
    """Run the selection's scenarios; ``record`` each result; return how many ran."""
    settings = env.fastlane
    if settings is None:
        raise ConfigError(f"environment {env.name!r} is not a fast-lane environment",
                          key="kind", hint="use an environment with kind: fastlane")
    checkout = str(cloudstack or settings.cloudstack or "")
    if not checkout:
        raise ConfigError("the fast lane needs a CloudStack checkout", key="fastlane.cloudstack",
                          hint="pass --cloudstack PATH or set fastlane.cloudstack")
    suites = Path(settings.suites) if settings.suites else None
    chosen, why = scenarios_for(selection, list_scenarios(suites))
    chosen = [s for s in chosen if f"fastlane/{s.name}" not in done]
    console.info(f"[fastlane] {len(chosen)} scenario(s): {why}")
    if not chosen:
        return 0
    require_root()
    tree = vr_tree(Path(checkout))
    base = tree_at(Path(checkout), settings.base, default_cache_dir()) if settings.base else None
    with console.status("[fastlane] preparing the VR package cache"):
        pkg = package_root() if settings.packages == "cache" else None
    ws = new_workspace(pkg)
    ws = Workspace(ws.pkg_root, ws.run_dir, ws.prefix, script_timeout=settings.script_timeout)
    request = LaneRequest(tuple(chosen), tree, base, settings.jobs)
    run_fastlane(request, ws, console, on_result=record)
    return len(chosen)
