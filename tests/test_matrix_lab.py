"""The matrix over the embedded lab: green when healthy; one broken router reddens only its cell.

Real namespaces, sshd, keepalived and the lab's API; every cell is a real ``vrtest run``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, CliRunner

pytest.importorskip("vrtest.lab.up", reason="the embedded lab is not in this build")
pytest.importorskip("vrtest.checks.session", reason="environment checks are not in this build")

pytestmark = pytest.mark.lab
ENV = "local-mx"
KINDS = ["isolated", "isolated-redundant", "vpc", "vpc-redundant"]  # no redundant VPC here


@pytest.fixture
def lab(tmp_path: Path, cli: CliRunner) -> Iterator[dict[str, Path]]:
    """A lab descriptor unique to this PID, a matrix file whose lab plan uses it; lab up."""
    if os.geteuid() != 0:
        pytest.skip("the lab needs root")
    pid = os.getpid()
    second, third = 120 + pid % 50, (pid // 50) % 60 * 4
    data = yaml.safe_load((REPO_ROOT / "environments" / "local.yaml").read_text())
    data["name"] = ENV
    data["lab"].update(prefix=f"mx{pid % 100000}", state_dir=str(tmp_path / "state"),
                       management_cidr=f"10.{second}.{third}.0/24",
                       public_cidr=f"10.{second}.{third + 2}.0/24",
                       guest_cidr=f"172.{16 + (pid + 7) % 16}.0.0/16",
                       api_port=30000 + pid % 10000)
    data["management"]["api_url"] = f"http://127.0.0.1:{data['lab']['api_port']}/client/api"
    data["zones"][0]["pods"][0]["clusters"][0]["hosts"][0]["address"] = f"10.{second}.{third}.2"
    data["vr_access"]["known_hosts"] = str(tmp_path / "known_hosts")
    envs = tmp_path / "envs"
    envs.mkdir()
    descriptor = envs / f"{ENV}.yaml"
    descriptor.write_text(yaml.safe_dump(data, sort_keys=False))
    matrix = yaml.safe_load((REPO_ROOT / "suites" / "matrix.yaml").read_text())
    shipped = matrix["plans"]["lab"]["envs"]["local"]
    matrix["plans"] = {"lab": {"description": "lab matrix", "trend": 7,
                               "envs": {ENV: {**shipped, "kinds": KINDS}}}}
    matrix_file = tmp_path / "matrix.yaml"
    matrix_file.write_text(yaml.safe_dump(matrix))
    try:
        up = cli("lab", "--env", str(descriptor), "up")
        assert up.code == 0, up.err
        yield {"envs": envs, "descriptor": descriptor, "matrix": matrix_file,
               "db": tmp_path / "history.sqlite"}
    finally:
        cli("lab", "--env", str(descriptor), "down")


def _matrix(cli: CliRunner, lab: dict[str, Path], out: Path):
    return cli("matrix", "--plan", "lab", "--matrix-file", str(lab["matrix"]),
               "--envs-dir", str(lab["envs"]), "--output", str(out),
               "--history", str(lab["db"]), "--import")


def _statuses(out: Path) -> dict[str, str]:
    grid = json.loads((out / "matrix.json").read_text())
    return {cell["cell"]["kind"]: cell["status"] for cell in grid["cells"]}


def test_lab_matrix_green_then_one_broken_router_reddens_exactly_its_cell(
    cli: CliRunner, lab: dict[str, Path], tmp_path: Path
) -> None:
    healthy = _matrix(cli, lab, tmp_path / "night1")
    assert healthy.code == 0, healthy.err + healthy.out
    assert _statuses(tmp_path / "night1") == {"isolated": "passed", "isolated-redundant": "passed",
                                              "vpc": "passed", "vpc-redundant": "not-run"}
    assert "cell local-mx-vpc: 1 vpc router(s) r-4-VM" in healthy.err
    assert "cell local-mx-isolated-redundant: 2 isolated-redundant router(s) r-6-VM, r-7-VM" \
        in healthy.err

    broken = cli("lab", "--env", str(lab["descriptor"]), "break", "r-4-VM", "default-route")
    assert broken.code == 0, broken.err
    night2 = tmp_path / "night2"
    red = _matrix(cli, lab, night2)
    assert red.code == 1, red.err
    assert _statuses(night2) == {"isolated": "passed", "isolated-redundant": "passed",
                                 "vpc": "failed", "vpc-redundant": "not-run"}
    markdown = (night2 / "matrix.md").read_text()
    row = next(line for line in markdown.splitlines() if line.startswith("| local-mx |"))
    cols = row.split(" | ")
    assert "PASSED" in cols[1] and "PASSED" in cols[2] and "not run 0/1 `--`" in cols[4]
    assert "**FAILED**" in cols[3] and "`.x`" in cols[3]  # trend: green last night, red tonight
    assert "default-route[r-4-VM]`" in markdown[markdown.index("## local-mx: VPC"):]
    page = (night2 / "matrix.html").read_text()
    assert 'id="cell-local-mx-vpc" data-kind="vpc" data-status="failed"' in page
    assert page.count('data-status="passed"') == 2 and page.count('data-status="failed"') == 1
    assert (night2 / "local-mx-vpc" / "report.html").is_file()

    shown = cli("history", "show", "--env", ENV, "--history", str(lab["db"]), "--format", "json")
    rates = {row["test"].rsplit("::", 1)[-1]: (row["runs"], row["flake_rate"])
             for row in json.loads(shown.out)["tests"]}
    assert rates["default-route[r-4-VM]"] == (2, 0.5)  # passed, then failed: one flip in two
    assert rates["default-route[r-5-VM]"] == (2, 0.0)
    durations = cli("history", "durations", "--env", ENV, "--history", str(lab["db"]),
                    "--format", "json")
    assert json.loads(durations.out)["suites"]["vr-checks"] > 0
