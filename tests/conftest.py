"""Shared fixtures: an in-process CLI runner and an isolated secret masker."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import leaks
from vrtest.cli import main
from vrtest.console import Console
from vrtest.masking import SecretMasker, isolated_secrets

if TYPE_CHECKING:
    from vrtest.fastlane.runner import Workspace

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


@dataclass
class CliResult:
    """What one in-process ``vrtest`` invocation produced."""

    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


@pytest.fixture(scope="session", autouse=True)
def _no_stranded_processes() -> Iterator[None]:
    """Every lab fixture removes its processes by PID: at the end nothing may be left running
    in a namespace the tests deleted (such leftovers are killed, then reported as an error)."""
    since = leaks.start_time(os.getpid()) or 0
    yield
    if os.geteuid() != 0:
        return
    found = leaks.stranded(since)
    if found:
        time.sleep(2)  # a fixture of a concurrent session may still be tearing down
        found = {pid: cmd for pid, cmd in leaks.stranded(since).items() if pid in found}
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not found, f"processes left in deleted namespaces (killed now): {found}"


@pytest.fixture(autouse=True)
def _private_history(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's ~/.vrtest/history.sqlite."""
    monkeypatch.setenv("VRTEST_HISTORY", str(tmp_path_factory.mktemp("history") / "h.sqlite"))


@pytest.fixture
def secrets() -> Iterator[SecretMasker]:
    """A masker with no secrets registered, restored afterwards."""
    with isolated_secrets() as masker:
        yield masker


@pytest.fixture
def cli(secrets: SecretMasker, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run ``vrtest ARGS`` in-process; returns code, stdout and stderr."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> CliResult:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        if cwd is not None:
            monkeypatch.chdir(cwd)
        out, err = io.StringIO(), io.StringIO()
        console = Console(out, err, environ=dict(os.environ))
        try:
            code = main(list(args), console=console)
        except SystemExit as exc:  # argparse usage errors and --version
            code = int(exc.code or 0)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture(scope="session")
def pkg_root() -> Path:
    """The real VR package cache for fast-lane sandboxes (downloaded once, never installed)."""
    from vrtest.fastlane.packages import package_root

    return package_root()


@pytest.fixture
def workspace(pkg_root: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A fast-lane workspace with a prefix unique to this test; asserts nothing is left behind."""
    from tests.fastlane_helpers import leftovers
    from vrtest.fastlane.runner import Workspace

    prefix = f"vft{os.getpid() % 100000}{time.monotonic_ns() % 1000}"
    ws = Workspace(pkg_root, tmp_path / "run" / prefix, prefix, script_timeout=20)
    yield ws
    assert leftovers(prefix, ws.run_dir) == []
