"""``--dry-run``: show the plan and the exact commands, run nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vrtest.console import Console
from vrtest.environment import Environment
from vrtest.runner.marvin_command import build_invocation
from vrtest.runner.options import RunOptions
from vrtest.runner.plan import Plan


def show_plan(plan: Plan, env: Environment, options: RunOptions, console: Console,
              selection: dict[str, Any]) -> None:
    """Print each suite with its command line, the checks, and what will not run; JSON adds
    the selection (changed files and reasons) that a real run would save as selection.json."""
    checkout = options.checkout(env) or Path("CLOUDSTACK")
    run_dir = options.output.resolve()
    commands = {suite.path: list(build_invocation(env.marvin, checkout, run_dir,
                                                  run_dir / "marvin.cfg", suite.path,
                                                  suite.tests).argv)
                for suite in plan.suites}
    if options.format == "json":
        console.print_json({**plan.to_dict(), "commands": commands, "selection": selection})
        return
    rows = [["suite", path, " ".join(argv)] for path, argv in commands.items()]
    rows += [["check", check.name, "; ".join(check.reasons)] for check in plan.checks]
    rows += [["not run", suite.path, reason] for suite, reason in plan.not_run]
    console.table(["kind", "name", "command / reason"], rows)
    for note in plan.not_verified:
        console.print(f"not verified: {note}")
