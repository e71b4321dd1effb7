"""A copy of environments/local.yaml whose lab cannot collide with another test session's."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def write_lab_descriptor(directory: Path, name: str) -> Path:
    """Write ``<directory>/<name>.yaml``: prefix, cidrs and API port derived from the PID."""
    pid = os.getpid()
    octet, port = pid % 200 + 20, 20000 + pid % 10000
    data = yaml.safe_load((REPO_ROOT / "environments" / "local.yaml").read_text())
    data["name"] = name
    data["lab"].update(prefix=f"ck{pid % 1000}", management_cidr=f"10.{octet}.200.0/24",
                       public_cidr=f"10.{octet}.202.0/24", api_port=port,
                       state_dir=str(directory / "state"))
    data["management"]["api_url"] = f"http://127.0.0.1:{port}/client/api"
    pod = data["zones"][0]["pods"][0]
    pod.update(start=f"10.{octet}.200.10", end=f"10.{octet}.200.100",
               gateway=f"10.{octet}.200.1")
    pod["clusters"][0]["hosts"][0]["address"] = f"10.{octet}.200.2"
    data["zones"][0]["public_ip_ranges"][0].update(
        start=f"10.{octet}.202.10", end=f"10.{octet}.202.250", gateway=f"10.{octet}.202.1")
    data["vr_access"]["known_hosts"] = str(directory / "known_hosts")
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
