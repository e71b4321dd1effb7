"""The command line's contract: version, help, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys

from vrtest import __version__
from vrtest.errors import ConfigError, ExitCode, UnreachableError


def test_version_via_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vrtest", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"vrtest {__version__}"


def test_help_lists_examples_and_exit_codes() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vrtest", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "examples:" in proc.stdout
    assert "3 infrastructure unreachable" in proc.stdout


def test_no_command_prints_help_and_exits_2(cli) -> None:
    result = cli()
    assert result.code == ExitCode.CONFIG
    assert "usage: vrtest" in result.out


def test_unknown_command_is_usage_error(cli) -> None:
    result = cli("frobnicate")
    assert result.code == 2


def test_config_error_one_line_names_file_line_and_key() -> None:
    error = ConfigError(
        "'10.0.0.300' is not an IPv4 address",
        path="environments/lab-kvm.yaml",
        line=14,
        key="zones[0].pods[0].gateway",
    )
    assert error.one_line() == (
        "environments/lab-kvm.yaml:14: zones[0].pods[0].gateway: "
        "'10.0.0.300' is not an IPv4 address"
    )
    assert error.exit_code == ExitCode.CONFIG


def test_unreachable_error_exits_3() -> None:
    error = UnreachableError("cannot reach http://ms:8080/client/api", hint="is the server up?")
    assert error.exit_code == 3
    assert error.one_line().endswith("(is the server up?)")


def test_every_command_and_verb_help_has_examples() -> None:
    import argparse

    from vrtest.cli import build_parser

    def walk(parser: argparse.ArgumentParser, name: str) -> list[tuple[str, str | None]]:
        found = [(name, parser.epilog)]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for verb, sub in action.choices.items():
                    found += walk(sub, f"{name} {verb}")
        return found

    helps = walk(build_parser(), "vrtest")
    assert len(helps) > 20
    missing = [name for name, epilog in helps if "examples:" not in (epilog or "")]
    assert missing == []
