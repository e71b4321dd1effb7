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


ZONE = {
    "name": "zim1", "network_type": "Advanced", "dns": ["10.147.100.6"],
    "internal_dns": ["10.147.100.6"],
    "physical_networks": [{"name": "pnet", "vlan": "100-200",
                           "traffic_types": ["Guest", "Management", "Public"],
                           "providers": ["VirtualRouter", "VpcVirtualRouter"]}],
    "public_ip_ranges": [{"start": "192.0.2.10", "end": "192.0.2.90",
                          "netmask": "255.255.255.0", "gateway": "192.0.2.1"}],
    "pods": [{"name": "pod1", "start": "198.51.100.10", "end": "198.51.100.50",
              "netmask": "255.255.255.0", "gateway": "198.51.100.1",
              "clusters": [{"name": "c1", "hypervisor": "KVM",
                            "hosts": [{"address": "198.51.100.21", "username": "root",
                                       "password": "standin-host-password"}],
                            "primary_storage": [{"name": "ps1",
                                                 "url": "nfs://198.51.100.5/primary"}]}]}],
    "secondary_storage": [{"url": "nfs://198.51.100.5/secondary", "provider": "NFS"}],
}
LAB = {"prefix": "vtrun", "management_cidr": "10.253.0.0/24", "public_cidr": "10.253.2.0/24",
       "link_local_cidr": "169.254.0.0/16", "guest_cidr": "10.2.0.0/16", "api_port": 18999,
       "state_dir": "/tmp/vrtest-run-never-used"}


def write_env(root: Path, checkout: Path, *, name: str = "lab-standin",
              marvin: dict[str, Any] | None = None, **extra: Any) -> Path:
    """A valid environment descriptor whose Marvin runs the stand-in."""
    settings = {"enabled": True, "runner": "nose", "python": sys.executable, "zone": "zim1",
                "hypervisor": "kvm", "tags": ["advanced"], "required_hardware": False,
                "suite_timeout": 60, "cloudstack": str(checkout)}
    settings.update(marvin or {})
    descriptor = {
        "name": name, "hypervisor": "kvm",
        "management": {"api_url": "http://127.0.0.1:8080/client/api", "integration_port": 8096,
                       "api_key": "standin-api-key", "secret_key": "standin-secret-key-123"},
        "zones": [ZONE],
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
