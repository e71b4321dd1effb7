"""Subcommands: one module per command (as tox 4 does), each with ``register()``.

A command module defines::

    NAME = "env"
    HELP = "one line for vrtest --help"

    def register(parser: argparse.ArgumentParser) -> None:
        ...  # add arguments / sub-subcommands; set_defaults(handler=...)

and handlers are ``handler(args: argparse.Namespace, console: Console) -> int``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Order is the order shown in ``vrtest --help``.
COMMAND_MODULES: tuple[str, ...] = (
    "vrtest.commands.env",
    "vrtest.commands.select",
    "vrtest.commands.catalog",
    "vrtest.commands.lab",
    "vrtest.commands.check",
    "vrtest.commands.run",
    "vrtest.commands.report",
    "vrtest.commands.history",
    "vrtest.commands.matrix",
)


def load_commands() -> list[ModuleType]:
    """Import every command module that exists in this build."""
    modules = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules
