"""``vrtest matrix`` end to end: each cell is a real ``vrtest run`` child (Marvin stand-in)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import yaml

from tests.conftest import CliRunner
from tests.run_support import make_checkout, standin_environ, write_env
from tests.test_history_run import ZONE
from vrtest.history.sqlite import SqliteHistoryStore
from vrtest.matrix.cells import Cell
from vrtest.matrix.scope import cell_selection, routers_of_kind

MATRIX = {
    "schema_version": 1,
    "network_kinds": {
        "isolated": {"title": "Isolated network", "requires": ["isolated"],
                     "routers": {"vpc": False, "redundant": False}, "checks": [],
                     "suites": [{"path": "smoke/test_pass.py"}]},
        "vpc": {"title": "VPC", "requires": ["vpc"], "routers": {"vpc": True, "redundant": False},
                "checks": [], "suites": [{"path": "smoke/test_mixed.py"}]},
        "vpc-vpn": {"title": "VPC with VPN", "requires": ["vpc", "vpn"], "checks": [],
                    "suites": [{"path": "smoke/test_pass.py"}]},
    },
    "plans": {"standin": {"description": "stand-in nightly", "trend": 5,
                          "envs": {"lab-standin": {}}}},
}


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    make_checkout(tmp_path)
    write_env(tmp_path, tmp_path / "cloudstack", zones=[ZONE])
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(yaml.safe_dump(MATRIX))
    return matrix, tmp_path


def test_matrix_runs_each_cell_with_vrtest_run(cli: CliRunner, tmp_path: Path) -> None:
    matrix, envs = _setup(tmp_path)
    out, db = tmp_path / "night", tmp_path / "h.sqlite"
    args = ("matrix", "--plan", "standin", "--matrix-file", str(matrix), "--envs-dir", str(envs),
            "--output", str(out), "--history", str(db))
    result = cli(*args, "--import", env=standin_environ(tmp_path))
    assert result.code == 1, result.err  # the vpc cell has failures
    assert "cell lab-standin-isolated: exit 0" in result.err
    assert "cell lab-standin-vpc: exit 1" in result.err
    assert "vpc-vpn" not in result.err  # the descriptor has no vpn capability
    for cell in ("lab-standin-isolated", "lab-standin-vpc"):
        meta = json.loads((out / cell / "run.json").read_text())
        assert meta["cell"] == cell and meta["plan"] == "standin"
        assert (out / cell / "report.html").is_file() and (out / cell / "junit.xml").is_file()
    selection = json.loads((out / "lab-standin-vpc" / "selection.json").read_text())
    assert [s["path"] for s in selection["suites"]] == ["smoke/test_mixed.py"]
    grid = json.loads((out / "matrix.json").read_text())
    assert {c["cell"]["id"]: c["status"] for c in grid["cells"]} == {
        "lab-standin-isolated": "passed", "lab-standin-vpc": "failed"}
    markdown = (out / "matrix.md").read_text()
    # --import stored tonight first, so each trend already holds this night
    assert "[PASSED 2/2 `.`](lab-standin-isolated/report.html)" in markdown
    assert "[**FAILED** 1/4, 2 failed `x`](lab-standin-vpc/report.html)" in markdown

    store = SqliteHistoryStore(db)
    runs = store.runs()
    store.close()
    assert sorted((r.cell, r.kind) for r in runs) == [
        ("lab-standin-isolated", "nightly"), ("lab-standin-vpc", "nightly")]

    again = cli(*args, env=standin_environ(tmp_path))
    assert again.code == 2 and "already holds results" in again.err


def test_cell_run_of_one_cell_only(cli: CliRunner, tmp_path: Path) -> None:
    matrix, envs = _setup(tmp_path)
    out = tmp_path / "jenkins"
    result = cli("matrix", "--plan", "standin", "--matrix-file", str(matrix), "--envs-dir",
                 str(envs), "--output", str(out), "--cell", "lab-standin-isolated",
                 env=standin_environ(tmp_path))
    assert result.code == 0, result.err
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["lab-standin-isolated"]
    assert not (out / "matrix.html").exists()  # the merge stage renders the grid


def test_routers_of_kind_and_the_cell_selection() -> None:
    def router(name: str, vpc: str, redundant: bool) -> SimpleNamespace:
        return SimpleNamespace(name=name, vpc_id=vpc, redundant=redundant)

    routers = [router("r-4-VM", "", False), router("r-6-VM", "vpc-1", False),
               router("r-8-VM", "vpc-2", True), router("r-9-VM", "vpc-2", True)]
    assert routers_of_kind(routers, vpc=False, redundant=False) == ("r-4-VM",)
    assert routers_of_kind(routers, vpc=True, redundant=False) == ("r-6-VM",)
    assert routers_of_kind(routers, vpc=True, redundant=True) == ("r-8-VM", "r-9-VM")
    cell = Cell("local-vpc", "lab", "local", "local-zone", "vpc", "VPC", (),
                ("default-route", "services"), True, False)
    scoped = cell_selection(cell, ("r-6-VM",))
    assert scoped["routers"] == ["r-6-VM"]
    assert [c["name"] for c in scoped["checks"]] == ["default-route", "services"]
    empty = cell_selection(cell, ())
    assert empty["checks"] == [] and empty["not_verified"] == ["VR checks: no VPC routers in local"]
    assert "routers" not in cell_selection(cell, None)


def test_a_plan_whose_environments_have_no_descriptor_is_an_error_not_green(
        cli: CliRunner, tmp_path: Path) -> None:
    matrix, _ = _setup(tmp_path)
    out = tmp_path / "night"
    result = cli("matrix", "--plan", "standin", "--matrix-file", str(matrix), "--envs-dir",
                 str(tmp_path / "empty"), "--output", str(out), cwd=tmp_path)
    assert result.code == 2, result.err
    assert "plan standin: no cell to run" in result.err
    assert not out.exists()


def test_plans_find_the_shipped_descriptors_outside_a_checkout(cli: CliRunner,
                                                               tmp_path: Path) -> None:
    result = cli("matrix", "--plan", "lab", "--list", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result.err
    assert {cell["env"] for cell in json.loads(result.out)} == {"local"}
    assert "no descriptor" not in result.err
