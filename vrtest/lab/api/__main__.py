"""``python -m vrtest.lab.api --state STATE``: the lab's API server process (secret on stdin)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from vrtest.lab.api.records import Records
from vrtest.lab.api.server import LabApiServer
from vrtest.lab.paths import LabPaths
from vrtest.lab.probe import checkrouter
from vrtest.lab.topology import Topology


def main(argv: list[str] | None = None) -> int:
    """Serve until terminated."""
    parser = argparse.ArgumentParser(prog="python -m vrtest.lab.api")
    parser.add_argument("--state", required=True, type=Path)
    args = parser.parse_args(argv)
    secret_key = sys.stdin.readline().strip()
    data = json.loads(args.state.read_text())
    config = data["config"]
    paths = LabPaths(config["prefix"], args.state.parent)
    topology = Topology.from_dict(data["topology"])

    def records() -> Records:
        return Records(config["prefix"], config, topology, lambda name: checkrouter(paths, name))

    def log(text: str) -> None:
        sys.stderr.write(f"{time.strftime('%H:%M:%S')} {text}\n")
        sys.stderr.flush()

    server = LabApiServer(
        ("127.0.0.1", int(config["api_port"])),
        api_key=config["api_key"],
        secret_key=secret_key,
        records=records,
        log=log,
    )
    log(f"serving http://127.0.0.1:{config['api_port']}/client/api")
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
