"""Every command line in the README's code blocks is one the CLI accepts (flags match --help)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from vrtest.cli import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands() -> list[str]:
    """The ``vrtest ...`` lines of the README's ```sh blocks, comments and sudo dropped."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    commands = []
    for line in "\n".join(blocks).splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["sudo"]:
            words = words[1:]
        if words[:1] == ["vrtest"] and not any("[" in word for word in words):
            commands.append(shlex.join(words[1:]))
    return commands


def test_the_readme_has_examples_to_check() -> None:
    assert len(readme_commands()) >= 20


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_parses(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        build_parser().parse_args(shlex.split(command))
    except SystemExit as exc:
        pytest.fail(f"vrtest {command}: {capsys.readouterr().err.strip()} (exit {exc.code})")
