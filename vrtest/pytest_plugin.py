"""vrtest's pytest plugin (entry point ``pytest11: vrtest``).

Adds ``--vrtest-env`` so ``pytest suites/ --vrtest-env local`` runs vrtest's own VR-check
suites against an environment.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register vrtest's command-line options."""
    group = parser.getgroup("vrtest", "CloudStack virtual-router checks")
    group.addoption(
        "--vrtest-env",
        default=None,
        help="environment (name or descriptor path) whose routers the VR-check suites target",
    )
    group.addoption(
        "--vrtest-envs-dir",
        default=None,
        help="directory of environment descriptors (default ./environments)",
    )
