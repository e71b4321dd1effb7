"""An output path that cannot be written is one clear line and exit 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vrtest.errors import ExitCode

CHANGED = "systemvm/debian/opt/cloud/bin/cs/CsRoute.py"


@pytest.fixture()
def blocked(tmp_path: Path) -> Path:
    """A path under a regular file: no user (root included) can create it."""
    regular = tmp_path / "a-file"
    regular.write_text("not a directory\n")
    return regular / "out"


@pytest.mark.parametrize(("argv", "option"), [
    (["select", "--files", CHANGED, "-o", "{out}"], "-o"),
    (["catalog", "-o", "{out}"], "-o"),
    (["check", "--list", "--format", "json", "-o", "{out}"], "-o"),
    (["env", "marvin-config", "local", "-o", "{out}"], "-o"),
    (["run", "--env", "local", "--files", CHANGED, "--dry-run", "--output", "{out}"], "--output"),
    (["matrix", "--plan", "lab", "--cell", "local-vpc", "--output", "{out}"], "--output"),
])
def test_unwritable_output_is_one_line_exit_2(cli, blocked: Path, argv: list[str],
                                               option: str) -> None:
    result = cli(*[arg.replace("{out}", str(blocked)) for arg in argv])
    assert result.code == ExitCode.CONFIG, result.err
    assert "Traceback" not in result.err
    assert f"{option} {blocked}" in result.err
    assert "Not a directory" in result.err


def test_check_list_writes_to_output(cli, tmp_path: Path) -> None:
    out = tmp_path / "checks.json"
    result = cli("check", "--list", "--format", "json", "-o", str(out))
    assert result.code == ExitCode.OK
    assert result.out == ""
    assert "default-route" in {check["name"] for check in json.loads(out.read_text())}
