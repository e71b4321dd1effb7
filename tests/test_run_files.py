"""One reader for a run directory's JSON files, one policy: absent is empty, damaged is exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.history_runs import write_run
from vrtest.errors import ConfigError, ExitCode
from vrtest.matrix.cells import Cell
from vrtest.matrix.execute import stamp_cell
from vrtest.runner.store import read_json

DAMAGED = {
    "truncated": (b'{"env": "lab-kvm",\n "started": ', "not valid JSON"),
    "a list": (b'["lab-kvm"]', "expected a JSON object"),
    "binary": (b"\xff\xfe\x00junk", "not UTF-8 text"),
}


def test_an_absent_file_reads_as_empty(tmp_path: Path) -> None:
    assert read_json(tmp_path / "run.json") == {}


@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_a_damaged_file_is_a_config_error_naming_it(tmp_path: Path, kind: str) -> None:
    content, problem = DAMAGED[kind]
    path = tmp_path / "run.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as info:
        read_json(path)
    line = info.value.one_line()
    assert str(path) in line and problem in line
    assert info.value.exit_code == ExitCode.CONFIG


@pytest.mark.parametrize("verb", [("report", "render"), ("history", "import")])
def test_commands_reading_a_damaged_run_json_say_so_in_one_line(cli: CliRunner, tmp_path: Path,
                                                                 verb: tuple[str, str]) -> None:
    run = write_run(tmp_path / "run", {"smoke/a.py::t1": "passed"})
    (run / "run.json").write_text('{"env": "lab-kvm", ')
    result = cli(*verb, str(run))
    assert result.code == ExitCode.CONFIG, result.err
    assert f"{run / 'run.json'}:1: not valid JSON" in result.err
    assert "Traceback" not in result.err


def _cell() -> Cell:
    return Cell(id="lab-kvm-vpc", plan="nightly", env="lab-kvm", zone="kvm-zone1", kind="vpc",
                title="VPC", suites=("smoke/test_vpc_redundant.py",), checks=("default-route",),
                vpc=True, redundant=False)


def test_stamping_a_cell_keeps_what_the_run_recorded(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(json.dumps({"env": "lab-kvm", "commit": "abc123"}))
    assert stamp_cell(tmp_path, _cell()) is None
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta["commit"] == "abc123" and meta["cell"] == "lab-kvm-vpc"
    assert meta["plan"] == "nightly" and meta["network_kind"] == "vpc"


def test_stamping_a_cell_over_a_damaged_run_json_warns_and_keeps_the_cell(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text("{torn")
    warning = stamp_cell(tmp_path, _cell())
    assert warning is not None and "not valid JSON" in warning and "rewritten" in warning
    meta = json.loads((tmp_path / "run.json").read_text())
    assert meta == {"env": "lab-kvm", "cell": "lab-kvm-vpc", "plan": "nightly",
                    "network_kind": "vpc"}
