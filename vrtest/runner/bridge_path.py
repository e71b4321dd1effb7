"""Put vrtest's pytest bridge on Marvin's path, and nothing else of vrtest's environment.

Adding vrtest's own package root to the child's PYTHONPATH would, for an installed vrtest, put
its whole site-packages ahead of Marvin's (other versions of requests, urllib3, paramiko...,
extensions built for another Python) and load vrtest's own pytest plugin into Marvin's pytest.
The bridge needs only the standard library, pytest and Marvin, so its four files are copied
into ``RUN/.marvin-bridge/vrtest/marvin_bridge`` and that directory alone goes on the path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from vrtest import marvin_bridge

BRIDGE_DIR = ".marvin-bridge"
FILES = ("__init__.py", "attrs.py", "narrow.py", "plugin.py")
PACKAGE_DOC = '"""vrtest\'s Marvin bridge only, copied here by vrtest run."""\n'


def bridge_dir(run_dir: Path) -> Path:
    """The PYTHONPATH entry for the pytest runner (see :func:`install_bridge`)."""
    return run_dir / BRIDGE_DIR


def install_bridge(run_dir: Path) -> Path:
    """Copy the bridge package into ``bridge_dir(run_dir)`` (idempotent); return that dir."""
    root = bridge_dir(run_dir)
    package = root / "vrtest" / "marvin_bridge"
    package.mkdir(parents=True, exist_ok=True)
    (root / "vrtest" / "__init__.py").write_text(PACKAGE_DOC, encoding="utf-8")
    source = Path(marvin_bridge.__file__).parent
    for name in FILES:
        shutil.copyfile(source / name, package / name)
    return root
