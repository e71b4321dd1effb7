"""Descriptor benchmarks (plain script): how long `env list` / `load_environment` take.

    python benchmarks/bench_env.py            # figures for the shipped five and a big zone file

Every vrtest command loads one descriptor first, and `env list` reads them all, so this
stays well under the time a person notices (budget: 0.2 s for the shipped five).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml

from vrtest.environment import inspect_descriptor
from vrtest.environment.marvin_config import render_marvin_config

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 0.2


def big_descriptor(directory: Path, zones: int, hosts: int) -> Path:
    """The simulator descriptor grown to ``zones`` zones of ``hosts`` hosts each."""
    data = yaml.safe_load((ROOT / "environments" / "simulator.yaml").read_text())
    template = data["zones"][0]
    data["zones"] = []
    for z in range(zones):
        zone = yaml.safe_load(yaml.safe_dump(template))
        zone["name"] = f"zone{z}"
        cluster = zone["pods"][0]["clusters"][0]
        cluster["hosts"] = [
            {"address": f"sim{z}", "url": f"http://sim{z}/c1/h{h}", "password": "password"}
            for h in range(hosts)
        ]
        data["zones"].append(zone)
    data["marvin"]["zone"] = "zone0"
    path = directory / "big.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def timed(label: str, repeat: int, action: object) -> float:
    """Mean seconds of ``repeat`` calls of ``action``, printed."""
    start = time.perf_counter()
    for _ in range(repeat):
        action()  # type: ignore[operator]
    mean = (time.perf_counter() - start) / repeat
    print(f"{label:48} {mean * 1000:8.1f} ms")
    return mean


def main() -> int:
    """Print the figures; exit 1 if the shipped five miss the budget."""
    shipped = sorted((ROOT / "environments").glob("*.yaml"))
    inspect_descriptor(shipped[0])  # warm the schema validator once, as a CLI run does
    five = timed(f"inspect the shipped {len(shipped)} descriptors", 20,
                 lambda: [inspect_descriptor(p) for p in shipped])
    with tempfile.TemporaryDirectory() as tmp:
        big = big_descriptor(Path(tmp), zones=20, hosts=50)
        timed("inspect 20 zones x 50 hosts", 5, lambda: inspect_descriptor(big))
        env = inspect_descriptor(big).environment
        assert env is not None
        timed("render its Marvin config", 5, lambda: render_marvin_config(env))
    print(f"budget {BUDGET_SECONDS * 1000:.0f} ms for the shipped five: "
          f"{'ok' if five < BUDGET_SECONDS else 'MISSED'}")
    return 0 if five < BUDGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
