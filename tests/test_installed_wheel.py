"""A wheel installed outside any checkout finds its shipped suites and environments."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "vrtest", "suites",
           "environments")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build vrtest's wheel from a copy of the sources and install it into a bare directory."""
    pytest.importorskip("wheel")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "_bundled"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-build-isolation", "--no-deps", "-w", str(work / "dist"),
                    str(source)], check=True, capture_output=True, text=True)
    wheels = list((work / "dist").glob("vrtest-*.whl"))
    assert len(wheels) == 1
    site = work / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site),
                    str(wheels[0])], check=True, capture_output=True, text=True)
    return site


def _vrtest(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VRTEST_")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-m", "vrtest", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path,
                                                             tmp_path: Path) -> None:
    probe = subprocess.run([sys.executable, "-c", "import vrtest; print(vrtest.__file__)"],
                           cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(installed)},
                           capture_output=True, text=True, check=True)
    assert Path(probe.stdout.strip()).is_relative_to(installed)


@pytest.mark.slow
def test_env_list_outside_a_checkout_lists_the_shipped_descriptors(installed: Path,
                                                                   tmp_path: Path) -> None:
    done = _vrtest(installed, tmp_path, "env", "list", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert {"simulator", "lab-kvm", "lab-xen", "lab-vmware", "local", "fastlane"} <= set(rows)
    assert Path(rows["local"]["path"]).is_relative_to(installed / "vrtest" / "_bundled")
    assert rows["local"]["valid"] is True


@pytest.mark.slow
def test_a_descriptor_in_the_working_directory_wins_over_the_shipped_one(installed: Path,
                                                                         tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    own = tmp_path / "environments" / "local.yaml"
    shutil.copy2(REPO / "environments" / "local.yaml", own)
    done = _vrtest(installed, tmp_path, "env", "list", "--format", "json")
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert (tmp_path / rows["local"]["path"]).resolve() == own.resolve()
    assert Path(rows["lab-kvm"]["path"]).is_relative_to(installed)


@pytest.mark.slow
def test_select_outside_a_checkout_uses_the_shipped_map_and_catalog(installed: Path,
                                                                    tmp_path: Path) -> None:
    done = _vrtest(installed, tmp_path, "select", "--format", "json", "--files",
                   "systemvm/debian/opt/cloud/bin/cs/CsRoute.py")
    assert done.returncode == 0, done.stderr
    selection = json.loads(done.stdout)
    suites = {suite["path"] for suite in selection["suites"]}
    assert "smoke/test_vpc_redundant.py" in suites
    assert "default-route" in {check["name"] for check in selection["checks"]}
    assert selection["catalog"]["suites"] > 300
