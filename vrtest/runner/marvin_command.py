"""Build the argv of one Marvin suite run, for nose (CloudStack CI's shape) or the pytest bridge.

argv lists only: suite paths and test names come from selections and PRs and never reach a shell.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vrtest.environment import MarvinSettings
from vrtest.marvin_bridge.narrow import nose_selection, split_names
from vrtest.runner.bridge_path import bridge_dir

INTEGRATION_DIR = "test/integration"
BRIDGE_PLUGIN = "vrtest.marvin_bridge.plugin"
LOG_FOLDER = "marvin-logs"  # Marvin's own logs, under the run directory (masked after each suite)
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class SuiteInvocation:
    """One process to start: argv, working directory, environment additions."""

    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]
    report_file: Path


def attr_expression(settings: MarvinSettings) -> str:
    """The nose ``-a`` value: ``tags=advanced[,required_hardware=false]`` (comma = AND).

    Only a zone without hardware filters on ``required_hardware`` (as CloudStack's simulator
    CI does); a hardware zone runs every tagged test, as Trillian does.
    """
    parts = [f"tags={tag}" for tag in settings.tags]
    if not settings.required_hardware:
        parts.append("required_hardware=false")
    return ",".join(parts)


def suite_file(suite_path: str) -> str:
    """``smoke/test_routers.py`` -> ``test/integration/smoke/test_routers.py``."""
    path = suite_path if suite_path.endswith(".py") else f"{suite_path}.py"
    return f"{INTEGRATION_DIR}/{path}"


def qualified_tests(checkout: Path, suite_path: str, tests: Sequence[str]) -> list[str]:
    """Names as ``Class.method``; a bare method is looked up in the suite's source (no import)."""
    owners = _method_owners(checkout / suite_file(suite_path))
    names = []
    for test in tests:
        if "." in test or test in owners.values():
            names.append(test)
        elif test in owners:
            names.append(f"{owners[test]}.{test}")
        else:
            names.append(test)
    return names


def _method_owners(path: Path) -> dict[str, str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    owners: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    owners.setdefault(item.name, node.name)
    return owners


def nose_argv(settings: MarvinSettings, config: Path, xunit: Path, target: Sequence[str],
              match: str | None = None, log_dir: Path | None = None) -> list[str]:
    """CloudStack CI's command, plus Marvin's ``--log-folder-path`` and, narrowed, ``-m``."""
    head = [settings.python, "-m", "nose"] if settings.python else ["nosetests"]
    logs = [f"--log-folder-path={log_dir}"] if log_dir else []
    argv = [*head, "--with-xunit", f"--xunit-file={xunit}", "--with-marvin",
            f"--marvin-config={config}", *logs, *target]
    if match:
        argv += ["-m", match]
    argv += ["-s", "-a", attr_expression(settings)]
    if settings.zone:
        argv.append(f"--zone={settings.zone}")
    if settings.hypervisor:
        argv.append(f"--hypervisor={settings.hypervisor}")
    return argv + list(settings.extra_args)


def pytest_argv(settings: MarvinSettings, config: Path, junit: Path, target: Sequence[str],
                log_dir: Path, tests: Sequence[str] = ()) -> list[str]:
    """``python -m pytest -p vrtest.marvin_bridge.plugin --marvin-config ... --junitxml=X``."""
    argv = [settings.python or sys.executable, "-m", "pytest", "-p", BRIDGE_PLUGIN,
            f"--marvin-config={config}", f"--junitxml={junit}", "-p", "no:cacheprovider",
            f"--marvin-attr={attr_expression(settings)}", f"--marvin-log-folder={log_dir}"]
    if settings.zone:
        argv.append(f"--marvin-zone={settings.zone}")
    if settings.hypervisor:
        argv.append(f"--marvin-hypervisor={settings.hypervisor}")
    argv += [f"--marvin-test={name}" for name in tests]
    return argv + list(settings.extra_args) + list(target)


def targets(settings: MarvinSettings, suite_path: str, tests: Sequence[str]) -> list[str]:
    """The suite file, or its classes when narrowed (``file:Class`` / ``file::Class``).

    Methods are picked by nose's ``-m`` / the bridge's ``--marvin-test``, never by a
    ``file:Class.method`` target, which would bypass Marvin's client injection.
    """
    file = suite_file(suite_path)
    if not tests:
        return [file]
    classes, _ = split_names(tests)
    separator = "::" if settings.runner == "pytest" else ":"
    return [f"{file}{separator}{cls}" for cls in classes]


def child_environment(settings: MarvinSettings, run_dir: Path, suite_path: str,
                      base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variables added for the suite process (the rest of os.environ is inherited)."""
    env = {"PYTHONUNBUFFERED": "1", "VRTEST_RUN_DIR": str(run_dir), "VRTEST_SUITE": suite_path}
    if settings.runner == "pytest":  # the bridge alone (install_bridge), not vrtest's packages
        current = (base if base is not None else os.environ).get("PYTHONPATH", "")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(bridge_dir(run_dir)), current) if p)
    return env


def build_invocation(settings: MarvinSettings, checkout: Path, run_dir: Path, config: Path,
                     suite_path: str, tests: Sequence[str], attempt: int = 0) -> SuiteInvocation:
    """Everything needed to start one suite process (attempt > 0 = a rerun)."""
    slug = _SAFE.sub("_", suite_path.replace("/", "__").removesuffix(".py"))
    suffix = f".rerun{attempt}" if attempt else ""
    report = run_dir / "marvin" / f"{slug}{suffix}.xml"
    names = qualified_tests(checkout, suite_path, tests)
    ids = targets(settings, suite_path, names)
    if settings.runner == "pytest":
        argv = pytest_argv(settings, config, report, ids, run_dir / LOG_FOLDER, names)
    else:
        argv = nose_argv(settings, config, report, ids, nose_selection(names)[1],
                         run_dir / LOG_FOLDER)
    return SuiteInvocation(tuple(argv), checkout, child_environment(settings, run_dir, suite_path),
                           report)
