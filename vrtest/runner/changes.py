"""Stages 1-2: changes -> selection record, through the selector (or a saved record)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.environment import Environment
from vrtest.errors import UsageError
from vrtest.runner.options import RunOptions
from vrtest.selector import ChangeSet, select
from vrtest.selector.catalog import snapshot_catalog
from vrtest.selector.scan import scan_checkout


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
    problem = _selection_shape_problem(data)
    if problem:
        raise UsageError(f"{path}: not a selection record ({problem})",
                         hint="give the selection.json of an earlier run")
    return data


def _selection_shape_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with the parts ``read_selection`` uses, or None."""
    for key, required in (("suites", "path"), ("checks", "name")):
        items = data.get(key, [])
        if not isinstance(items, list):
            return f"'{key}' is not a list"
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get(required), str):
                return f"{key}[{index}] has no '{required}' string"
            for field in ("tests", "reasons"):
                if not isinstance(item.get(field) or [], list):
                    return f"{key}[{index}].{field} is not a list"
    if not isinstance(data.get("not_verified", []), list):
        return "'not_verified' is not a list"
    return None


def select_for_run(options: RunOptions, env: Environment, console: Console) -> dict[str, Any]:
    """The selection record for this run, as ``Selection.to_dict()`` shapes it."""
    if options.selection_file is not None:
        return load_selection_file(options.selection_file)
    checkout = options.checkout(env)
    if checkout is not None and not checkout.is_dir():
        checkout = None  # no checkout here: the shipped catalog snapshot is used
    changes = read_changes(options, checkout, console)
    if checkout is None:
        catalog = snapshot_catalog()
    else:
        with console.status(f"[select] scanning {checkout} for Marvin suites"):
            catalog = scan_checkout(checkout)
    selection = select(changes, catalog=catalog, env=env)
    for warning in selection.warnings:
        console.warn(warning)
    return dict(selection.to_dict())


def read_changes(options: RunOptions, checkout: Path | None, console: Console) -> ChangeSet:
    """The change set from the one source given on the command line."""
    if options.all_suites:
        return ChangeSet.everything()
    if options.diff:
        if checkout is None:
            raise UsageError(f"--diff {options.diff} needs the CloudStack git checkout",
                             hint="pass --cloudstack PATH or set marvin.cloudstack")
        return ChangeSet.from_diff(options.diff, repo=checkout)
    if options.pr is not None:
        with console.status(f"[select] listing the files of PR #{options.pr}"):
            return ChangeSet.from_pr(options.pr)
    if options.files_from:
        return ChangeSet.from_files_from(options.files_from)
    return ChangeSet.from_files(options.files)
