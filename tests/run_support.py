"""Helpers for the run/report tests: a CloudStack checkout of stand-in suites, descriptors."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

STANDIN = Path(__file__).resolve().parent / "marvin_standin"
SUITES = STANDIN / "suites"


def make_checkout(root: Path) -> Path:
    """A directory with test/integration/smoke/<stand-in suites>."""
    checkout = root / "cloudstack"
    shutil.copytree(SUITES, checkout / "test" / "integration", dirs_exist_ok=True)
    return checkout


def write_env(root: Path, checkout: Path, *, name: str = "lab-standin",
              marvin: dict[str, Any] | None = None, **extra: Any) -> Path:
    """An environment descriptor whose Marvin runs the stand-in."""
    settings = {"enabled": True, "runner": "nose", "python": sys.executable, "zone": "zim1",
                "hypervisor": "kvm", "tags": ["advanced"], "required_hardware": False,
                "suite_timeout": 60, "cloudstack": str(checkout)}
    settings.update(marvin or {})
    descriptor = {
        "name": name, "hypervisor": "kvm",
        "management": {"api_url": "http://127.0.0.1:8080/client/api", "integration_port": 8096,
                       "api_key": "standin-api-key", "secret_key": "standin-secret-key-123"},
        "capabilities": {"real_vrs": True, "network_kinds": ["isolated", "vpc"]},
        "marvin": settings, **extra,
    }
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(descriptor), encoding="utf-8")
    return path


def write_selection(root: Path, suites: list[str], checks: list[str] | None = None,
                    **extra: Any) -> Path:
    """A saved selection record, as ``Selection.to_dict()`` shapes it."""
    record = {
        "changed": ["systemvm/debian/opt/cloud/bin/cs/CsRoute.py"],
        "areas": ["routes"],
        "suites": [{"path": s, "tests": [], "reasons": [f"rule routes: {s}"]} for s in suites],
        "checks": [{"name": c, "reasons": ["rule routes"]} for c in checks or []],
        "unmatched": [], "fallback": False,
        "source": {"kind": "pr", "pr": 887, "commit": "0123456789abcdef", "title": "Fix routes",
                   "branch": "fix-routes"},
        "not_verified": [],
    }
    record.update(extra)
    path = root / "selection-in.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def standin_environ(root: Path) -> dict[str, str]:
    """Variables that put the stand-in's nose and marvin on the children's path."""
    state = root / "state"
    state.mkdir(exist_ok=True)
    return {
        "PYTHONPATH": os.pathsep.join([str(STANDIN), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep),
        "STANDIN_RECORD": str(root / "record.jsonl"),
        "STANDIN_STATE_DIR": str(state),
        "PATH": os.pathsep.join([str(STANDIN / "bin"), os.environ.get("PATH", "")]),
    }


def records(root: Path) -> list[dict[str, Any]]:
    """What the stand-in recorded (one entry per invocation and MarvinInit)."""
    path = root / "record.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def results(run_dir: Path) -> list[dict[str, Any]]:
    """The run's results.jsonl records."""
    return [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
