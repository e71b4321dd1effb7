"""Stages 1-2: changes -> selection record, through the selector part (or a saved record)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from vrtest.errors import UsageError
from vrtest.runner.adapters import selector_module
from vrtest.runner.options import RunOptions
from vrtest.runner.settings import RunSettings


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


def select_for_run(options: RunOptions, settings: RunSettings) -> dict[str, Any]:
    """The selection record for this run, as ``Selection.to_dict()`` shapes it."""
    if options.selection_file is not None:
        return load_selection_file(options.selection_file)
    selector = selector_module()
    changes = _change_set(selector, options)
    selection = _call_select(selector, changes, settings)
    return dict(selection.to_dict()) if hasattr(selection, "to_dict") else dict(selection)


def _change_set(selector: Any, options: RunOptions) -> Any:
    """Build the selector's ChangeSet from whichever of the change options was given."""
    change_set = selector.ChangeSet
    if options.all_suites:
        return _first(change_set, ("everything", "all"), ())
    if options.pr is not None:
        return _first(change_set, ("from_pr",), (options.pr,))
    if options.diff:
        return _first(change_set, ("from_diff",), (options.diff,))
    if options.files_from:
        return _first(change_set, ("from_files_from", "from_file_list"), (options.files_from,))
    return _first(change_set, ("from_files",), (list(options.files),))


def _first(owner: Any, names: tuple[str, ...], args: tuple[Any, ...]) -> Any:
    for name in names:
        factory = getattr(owner, name, None)
        if callable(factory):
            return factory(*args)
    raise UsageError(f"this build's selector has no {names[0]}()",
                     hint="use --selection FILE with a saved selection.json")


def _call_select(selector: Any, changes: Any, settings: RunSettings) -> Any:
    parameters = inspect.signature(selector.select).parameters
    kwargs = {"env": settings.source} if "env" in parameters else {}
    return selector.select(changes, **kwargs)
