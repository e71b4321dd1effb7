"""``vrtest lab status``: routers, their roles, faults and whether recorded processes live."""

from __future__ import annotations

from typing import Any

from vrtest.lab.netns import is_alive, netns_exists
from vrtest.lab.paths import LabPaths
from vrtest.lab.probe import checkrouter, rss_kib
from vrtest.lab.state import LabState
from vrtest.lab.topology import Router, Topology


def is_healthy(state: LabState) -> bool:
    """True when every recorded namespace exists and every recorded process runs."""
    namespaces_ok = all(netns_exists(name) for name in state.data.get("namespaces", []))
    return namespaces_ok and all(is_alive(record) for record in state.processes().values())


def lab_status(paths: LabPaths, state: LabState) -> dict[str, Any]:
    """The lab as a JSON-ready mapping (what ``status --format json`` prints)."""
    topology = Topology.from_dict(state.data["topology"])
    processes = {
        key: {"pid": record["pid"], "alive": is_alive(record)}
        for key, record in state.processes().items()
    }
    return {
        "prefix": paths.prefix,
        "phase": state.phase,
        "api_url": state.data.get("api_url", ""),
        "host": _host(state, processes),
        "api": processes.get("api", {"pid": None, "alive": False}),
        "routers": [_router(paths, state, router, processes) for router in topology.routers],
        "namespaces": [
            {"name": name, "exists": netns_exists(name)}
            for name in state.data.get("namespaces", [])
        ],
    }


def _host(state: LabState, processes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    config = state.data.get("config", {})
    address = str(config.get("management_cidr", "")).rsplit(".", 1)[0] + ".2"
    return {"address": address, "sshd": processes.get("host/sshd", {"pid": None, "alive": False})}


def _router(
    paths: LabPaths, state: LabState, router: Router, processes: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    daemons = {
        key.split("/", 1)[1]: value
        for key, value in processes.items()
        if key.startswith(f"{router.name}/")
    }
    running = netns_exists(paths.netns(router.name))
    role = checkrouter(paths, router.name) if router.redundant and running else "-"
    rss = sum(rss_kib(value["pid"]) for value in daemons.values() if value["alive"])
    return {
        "name": router.name,
        "kind": router.kind,
        "redundant": router.redundant,
        "state": "Running" if running else "Stopped",
        "redundantstate": role,
        "linklocalip": router.nic("Control").address,
        "publicip": router.public_ip,
        "netns": paths.netns(router.name),
        "processes": daemons,
        "rss_kib": rss,
        "faults": state.faults(router.name),
    }


def status_rows(status: dict[str, Any]) -> list[list[str]]:
    """Table rows: router, kind, state, role, link-local IP, daemons, faults."""
    rows = []
    for router in status["routers"]:
        daemons = " ".join(
            f"{name}:{value['pid']}{'' if value['alive'] else '(dead)'}"
            for name, value in sorted(router["processes"].items())
        )
        rows.append(
            [
                router["name"],
                router["kind"] + (" (redundant)" if router["redundant"] else ""),
                router["state"],
                router["redundantstate"],
                router["linklocalip"],
                daemons or "-",
                ",".join(router["faults"]) or "-",
            ]
        )
    return rows
