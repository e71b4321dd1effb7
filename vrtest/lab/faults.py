"""Faults a lab router can be given (``vrtest lab break``) and their repair (``lab repair``).

Each fault changes the router's real state (routes, iptables, daemons, VRRP), so
checks see exactly what they would on a broken VR; ``repair`` converges the router
back to its healthy state whatever was done to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from vrtest.console import Console
from vrtest.errors import ConfigError
from vrtest.lab.netns import enter_argv, ip_batch, is_alive, run, stop
from vrtest.lab.paths import LabPaths
from vrtest.lab.probe import checkrouter
from vrtest.lab.processes import (
    start_dnsmasq,
    start_keepalived,
    start_sshd,
    wait_for,
    wait_listening,
)
from vrtest.lab.routes import default_routes
from vrtest.lab.state import LabState, locked
from vrtest.lab.topology import Router, Topology
from vrtest.lab.vrfiles import table_id

FAULTS = ("default-route", "iptables-policy", "split-brain", "keepalived-down", "vr-sshd-down")
REDUNDANT_ONLY = ("split-brain", "keepalived-down")
VRRP_PROTOCOLS = ("112", "51")  # VRRP itself, and AH (keepalived's auth_type AH)
SETTLE_TIMEOUT = 20.0


def _iptables(paths: LabPaths, router: Router, *args: str, check: bool = True) -> bool:
    argv = enter_argv(paths.netns(router.name), None, ["iptables", "-w", *args])
    return run(argv, check=check).returncode == 0


def _break_default_route(paths: LabPaths, state: LabState, router: Router) -> None:
    public = router.nic("Public")
    for table in ("main", str(table_id(public.device))):
        argv = ["ip", "-n", paths.netns(router.name), "route", "del", "default", "table", table]
        run(argv, check=False)


def _break_policy(paths: LabPaths, state: LabState, router: Router) -> None:
    for chain in ("INPUT", "FORWARD"):
        _iptables(paths, router, "-P", chain, "ACCEPT")


def _break_vrrp(paths: LabPaths, state: LabState, router: Router) -> None:
    guest = router.nic("Guest").device
    for protocol in VRRP_PROTOCOLS:
        _iptables(paths, router, "-I", "INPUT", "1", "-i", guest, "-p", protocol, "-j", "DROP")


def _stopper(daemon: str) -> Callable[[LabPaths, LabState, Router], None]:
    def stop_daemon(paths: LabPaths, state: LabState, router: Router) -> None:
        key = f"{router.name}/{daemon}"
        record = state.processes().get(key)
        if record is not None:
            stop(record)
            state.forget_process(key)

    return stop_daemon


BREAKERS: dict[str, Callable[[LabPaths, LabState, Router], None]] = {
    "default-route": _break_default_route,
    "iptables-policy": _break_policy,
    "split-brain": _break_vrrp,
    "keepalived-down": _stopper("keepalived"),
    "vr-sshd-down": _stopper("sshd"),
}


def _load(paths: LabPaths) -> tuple[LabState, Topology]:
    state = LabState.load(paths.state_file)
    if state.phase != "up":
        raise ConfigError(f"lab {paths.prefix} is not up", hint="run `vrtest lab up` first")
    return state, Topology.from_dict(state.data["topology"])


def break_router(paths: LabPaths, name: str, fault: str, console: Console) -> str:
    """Inject ``fault`` into router ``name``; wait until the router's state shows it."""
    with locked(paths.lab_dir):
        state, topology = _load(paths)
        router = topology.router(name)
        if fault in REDUNDANT_ONLY and not router.redundant:
            raise ConfigError(
                f"{fault} needs a redundant router; {name} is not one",
                hint="use one of the redundant pair, e.g. r-6-VM",
            )
        targets = [router] + ([topology.router(router.peer)] if fault == "split-brain" else [])
        with console.status(f"breaking {name}: {fault}"):
            for target in targets:
                BREAKERS[fault](paths, state, target)
                state.set_faults(target.name, [*state.faults(target.name), fault])
            if fault == "split-brain":
                wait_for(
                    f"two PRIMARY routers ({name}, {router.peer})",
                    lambda: _roles(paths, [r.name for r in targets]) == ["PRIMARY"] * 2,
                    None,
                    timeout=SETTLE_TIMEOUT,
                )
    return f"{name}: {fault} injected"


def repair_router(paths: LabPaths, name: str, console: Console) -> str:
    """Undo every fault on router ``name`` (and its redundant peer's share of a split brain)."""
    with locked(paths.lab_dir):
        state, topology = _load(paths)
        router = topology.router(name)
        undone = state.faults(name)
        with console.status(f"repairing {name}"):
            _converge(paths, state, router)
            if router.redundant:
                peer = topology.router(router.peer)
                if "split-brain" in state.faults(peer.name):
                    _remove_vrrp_blocks(paths, peer)
                    state.set_faults(
                        peer.name, [f for f in state.faults(peer.name) if f != "split-brain"]
                    )
                wait_for(
                    f"VRRP election of {name} and {peer.name}",
                    lambda: sorted(_roles(paths, [name, peer.name])) == ["BACKUP", "PRIMARY"],
                    None,
                    timeout=SETTLE_TIMEOUT,
                )
                _restore_default_route(paths, router)
            state.set_faults(name, [])
    return f"{name}: repaired ({', '.join(undone) or 'no faults were recorded'})"


def _converge(paths: LabPaths, state: LabState, router: Router) -> None:
    for chain in ("INPUT", "FORWARD"):
        _iptables(paths, router, "-P", chain, "DROP")
    _remove_vrrp_blocks(paths, router)
    _restore_default_route(paths, router)
    records = state.processes()
    sshd = records.get(f"{router.name}/sshd")
    if sshd is None or not is_alive(sshd):
        sshd = start_sshd(paths, state, router.name)
        wait_listening(f"sshd of {router.name}", sshd, 3922)
    dnsmasq = records.get(f"{router.name}/dnsmasq")
    if not router.redundant and dnsmasq is not None and not is_alive(dnsmasq):
        start_dnsmasq(paths, state, router.name)
    keepalived = records.get(f"{router.name}/keepalived")
    if router.redundant and (keepalived is None or not is_alive(keepalived)):
        start_keepalived(paths, state, router.name)


def _remove_vrrp_blocks(paths: LabPaths, router: Router) -> None:
    guest = router.nic("Guest").device
    for protocol in VRRP_PROTOCOLS:
        rule = ["INPUT", "-i", guest, "-p", protocol, "-j", "DROP"]
        while _iptables(paths, router, "-C", *rule, check=False):
            _iptables(paths, router, "-D", *rule)


def _restore_default_route(paths: LabPaths, router: Router) -> None:
    """Default routes back, unless the router is a BACKUP (its public nic is down)."""
    public = router.nic("Public").device
    argv = ["ip", "-j", "-n", paths.netns(router.name), "link", "show", "dev", public]
    links = json.loads(run(argv).stdout or "[]")
    if links and "UP" in links[0].get("flags", []):
        ip_batch(default_routes(router), netns=paths.netns(router.name))


def _roles(paths: LabPaths, names: list[str]) -> list[str]:
    return [checkrouter(paths, name) for name in names]
