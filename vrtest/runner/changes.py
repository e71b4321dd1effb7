"""Stages 1-2: changes -> selection record, through the selector (or a saved record)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.errors import UsageError
from vrtest.runner.options import RunOptions
from vrtest.runner.settings import RunSettings, cloudstack_root


def load_selection_file(path: Path) -> dict[str, Any]:
    """A saved ``selection.json`` (from ``vrtest select --format json`` or an earlier run)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read selection {path}: {exc.strerror}",
                         hint="give the selection.json of an earlier run") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})",
                         hint="give the selection.json of an earlier run") from exc
    if not isinstance(data, dict) or "suites" not in data:
        raise UsageError(f"{path}: not a selection record (no 'suites')",
                         hint="give the selection.json of an earlier run")
    return data


def select_for_run(options: RunOptions, settings: RunSettings,
                   console: Console) -> dict[str, Any]:
    """The selection record for this run, as ``Selection.to_dict()`` shapes it."""
    if options.selection_file is not None:
        return load_selection_file(options.selection_file)
    from vrtest.commands.select import choose_catalog, read_changes
    from vrtest.selector.engine import Selector, build_selection
    from vrtest.selector.envfilter import from_environment
    from vrtest.selector.rules import load_rules

    checkout = cloudstack_root(settings, options.cloudstack)
    if checkout is not None and not checkout.is_dir():
        checkout = None  # no checkout here: the shipped catalog snapshot is used
    if options.diff and checkout is None:
        raise UsageError(f"--diff {options.diff} needs the CloudStack git checkout",
                         hint="pass --cloudstack PATH or set marvin.cloudstack")
    args = _selector_args(options, checkout)
    catalog = choose_catalog(args, console)
    capabilities = from_environment(settings.source)
    if options.all_suites:
        from vrtest.selector.changes import ChangeSet

        selector = Selector(load_rules(), catalog)
        selector.add_vr_set("--all: every VR suite and check in the catalog")
        selection = build_selection(ChangeSet((), {"kind": "all"}), selector, capabilities)
    else:
        from vrtest.selector.engine import select

        selection = select(read_changes(args, console), catalog=catalog, env=capabilities)
    for warning in selection.warnings:
        console.warn(warning)
    return dict(selection.to_dict())


def _selector_args(options: RunOptions, checkout: Path | None) -> argparse.Namespace:
    """The namespace ``vrtest select``'s change readers expect."""
    return argparse.Namespace(
        files=list(options.files) or None, files_from=options.files_from, diff=options.diff,
        pr=str(options.pr) if options.pr is not None else None, repo=checkout if options.diff
        else None, target_branch=None, remote="origin", github_api=None, github_repo=None,
        cloudstack=checkout, catalog=None,
    )
