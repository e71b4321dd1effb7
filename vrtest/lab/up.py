"""``vrtest lab up``: build the lab step by step, recording every resource before making it."""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from vrtest.console import Console
from vrtest.errors import ConfigError
from vrtest.lab import keys, routes
from vrtest.lab.addressing import build_topology
from vrtest.lab.config import LabConfig
from vrtest.lab.down import teardown
from vrtest.lab.iptables import router_rules
from vrtest.lab.netns import (
    add_netns,
    enter_argv,
    find_tool,
    ip_batch,
    mount_private_tmpfs,
    require_root,
    require_tools,
    run,
)
from vrtest.lab.paths import LabPaths
from vrtest.lab.probe import checkrouter, public_nic_up
from vrtest.lab.processes import (
    start_api,
    start_dnsmasq,
    start_keepalived,
    start_sshd,
    wait_connectable,
    wait_for,
    wait_listening,
)
from vrtest.lab.state import LabState, locked
from vrtest.lab.status import is_healthy
from vrtest.lab.topology import Router, Topology
from vrtest.lab.views import make_uts, mount_view, write_view
from vrtest.lab.vrfiles import host_files, router_files

WORKERS = 4
ROLE_TIMEOUT = 20.0


@dataclass(frozen=True)
class Credentials:
    """What ``up`` generates: the lab key, the host's password hash, the VRRP password."""

    private_key: str
    public_key: str
    password_hash: str
    vrrp_password: str


def lab_up(config: LabConfig, console: Console, *, extra_routers: int | None = None) -> LabState:
    """Bring the lab up (or leave a healthy one as it is); return its state.

    ``extra_routers`` None reuses a healthy lab of any size (and builds the default one).
    """
    require_root()
    require_tools()
    if find_tool("dnsmasq") is None:
        console.warn(
            "dnsmasq is not installed, so routers serve no DHCP/DNS (apt-get install dnsmasq-base)"
        )
    paths = LabPaths.of(config)
    with locked(paths.lab_dir):
        state = LabState.load(paths.state_file)
        if state.exists and _reusable(state, extra_routers):
            console.info(f"lab {config.prefix} is already up")
            return state
        if state.exists:
            console.info(f"removing what an unfinished lab {config.prefix} left behind")
            teardown(paths, state, console)
            state = LabState(paths.state_file)
        preflight(config)
        try:
            return _build(config, paths, state, extra_routers or 0, console)
        except BaseException:
            console.warn(f"lab {config.prefix} did not come up; removing what it had made")
            teardown(paths, state, console)
            raise


def preflight(config: LabConfig) -> None:
    """Refuse a management range already on this machine, or an API port already taken."""
    done = run(["ip", "-j", "-4", "addr", "show"])
    for link in json.loads(done.stdout or "[]"):
        for address in link.get("addr_info", []):
            if ipaddress.IPv4Address(address["local"]) in config.management_cidr:
                raise ConfigError(
                    f"{config.management_cidr} is already used here ({address['local']} on "
                    f"{link['ifname']})",
                    path=config.source,
                    key="lab.management_cidr",
                    hint="pick a free range, or run `vrtest lab down` for the lab using it",
                )
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the API server binds
        try:
            probe.bind(("127.0.0.1", config.api_port))
        except OSError:
            raise ConfigError(
                f"port {config.api_port} on 127.0.0.1 is in use",
                path=config.source,
                key="lab.api_port",
                hint="set lab.api_port (and management.api_url) to a free port",
            ) from None


def _reusable(state: LabState, extra_routers: int | None) -> bool:
    if state.phase != "up" or not is_healthy(state):
        return False
    running = int(state.data["topology"].get("extra_routers", 0))
    if extra_routers is not None and running != extra_routers:
        raise ConfigError(
            f"the lab is already up with --routers {running}",
            hint="run `vrtest lab down` first to change the number of routers",
        )
    return True


def _build(
    config: LabConfig, paths: LabPaths, state: LabState, extra_routers: int, console: Console
) -> LabState:
    started = time.monotonic()
    topology = build_topology(config, extra_routers)
    state.data.update(
        phase="starting",
        config=config.to_dict(),
        topology=topology.to_dict(),
        api_url=f"http://127.0.0.1:{config.api_port}/client/api",
    )
    state.save()
    paths.logs.mkdir(parents=True, exist_ok=True)
    with console.status(f"bringing up lab {config.prefix}: {len(topology.routers)} routers"):
        state.record("mounts", str(paths.runtime))
        mount_private_tmpfs(paths.runtime)
        _make_namespaces(paths, state, topology)
        _make_links(config, paths, state, topology)
        credentials = _credentials(config)
        _start_host(config, paths, state, credentials)
        with ThreadPoolExecutor(WORKERS) as pool:
            list(
                pool.map(
                    lambda r: _start_router(paths, state, topology, r, credentials),
                    topology.routers,
                )
            )
        api = start_api(paths, state, config.secret_key)
        wait_connectable(
            "the lab API server", "127.0.0.1", config.api_port, api, log=str(paths.logs / "api.log")
        )
        _wait_for_roles(paths, topology)
    state.set("phase", "up")
    console.info(
        f"lab {config.prefix} up in {time.monotonic() - started:.1f}s: "
        f"{len(topology.routers)} routers, API {state.data['api_url']}"
    )
    return state


def _make_namespaces(paths: LabPaths, state: LabState, topology: Topology) -> None:
    names = ["host", "pub"] + [r.name for r in topology.routers] + [vm.name for vm in topology.vms]
    state.record("namespaces", *(paths.netns(name) for name in names))
    for name in names:
        add_netns(paths.netns(name))


def _make_links(config: LabConfig, paths: LabPaths, state: LabState, topology: Topology) -> None:
    state.record("links", paths.root_link)
    host = paths.netns("host")
    ip_batch(
        [
            f"link add {paths.root_link} type veth peer name eth0 netns {host}",
            f"addr add {config.root_address}/{config.management_cidr.prefixlen} "
            f"dev {paths.root_link}",
            f"link set dev {paths.root_link} up",
        ]
    )
    ip_batch(routes.veth_commands(config.prefix, topology))
    ip_batch(routes.host_commands(config, topology), netns=host)
    ip_batch(routes.public_commands(config), netns=paths.netns("pub"))
    for vm in topology.vms:
        ip_batch(routes.vm_commands(vm), netns=paths.netns(vm.name))


def _credentials(config: LabConfig) -> Credentials:
    private, public = keys.rsa_keypair()
    return Credentials(
        private, public, keys.password_hash(config.host_password), keys.vrrp_password()
    )


def _with_host_key(
    paths: LabPaths, name: str, files: dict[str, tuple[str, int]]
) -> dict[str, tuple[str, int]]:
    private, public = keys.stable_host_key(paths.host_keys, name)
    return {
        **files,
        "/etc/ssh/ssh_host_ed25519_key": (private, 0o600),
        "/etc/ssh/ssh_host_ed25519_key.pub": (public, 0o644),
    }


def _start_host(
    config: LabConfig, paths: LabPaths, state: LabState, credentials: Credentials
) -> None:
    shadow = keys.shadow_file(config.host_username, credentials.password_hash)
    files = host_files(
        config.host_address,
        private_key=credentials.private_key,
        public_key=credentials.public_key,
        shadow=shadow,
    )
    write_view(paths.view("host"), _with_host_key(paths, "host", files))
    state.record("mounts", str(paths.pin("host")), str(paths.uts("host")))
    mount_view(paths, "host", paths.netns("host"))
    make_uts(paths, "host", "kvm-host-1")
    sshd = start_sshd(paths, state, "host")
    wait_connectable(
        "the hypervisor host's sshd",
        config.host_address,
        22,
        sshd,
        log=str(paths.logs / "host-sshd.log"),
    )


def _start_router(
    paths: LabPaths, state: LabState, topology: Topology, router: Router, credentials: Credentials
) -> None:
    netns = paths.netns(router.name)
    ip_batch(routes.router_commands(router, topology), netns=netns)
    run(enter_argv(netns, None, ["iptables-restore"]), input_text=router_rules(router, topology))
    run(enter_argv(netns, None, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]))
    files = router_files(
        router,
        topology,
        authorized_key=credentials.public_key,
        vrrp_password=credentials.vrrp_password,
    )
    write_view(paths.view(router.name), _with_host_key(paths, router.name, files))
    state.record("mounts", str(paths.pin(router.name)), str(paths.uts(router.name)))
    mount_view(paths, router.name, netns)
    make_uts(paths, router.name, router.name)
    sshd = start_sshd(paths, state, router.name)
    if router.redundant:
        start_keepalived(paths, state, router.name)  # its PRIMARY hook starts dnsmasq
    else:
        start_dnsmasq(paths, state, router.name)
    wait_listening(
        f"sshd of {router.name}", sshd, 3922, log=str(paths.logs / f"{router.name}-sshd.log")
    )


def _wait_for_roles(paths: LabPaths, topology: Topology) -> None:
    """Wait until each pair has one PRIMARY and the notify hooks have set both public nics."""
    by_name = {router.name: router for router in topology.routers}
    pairs = {tuple(sorted((r.name, r.peer))) for r in topology.routers if r.redundant}
    for pair in sorted(pairs):

        def settled(pair: tuple[str, ...] = pair) -> bool:
            roles = {name: checkrouter(paths, name) for name in pair}
            if sorted(roles.values()) != ["BACKUP", "PRIMARY"]:
                return False
            return all(
                public_nic_up(paths, name, by_name[name].nic("Public").device)
                == (role == "PRIMARY")
                for name, role in roles.items()
            )

        wait_for(f"VRRP election of {' and '.join(pair)}", settled, None, timeout=ROLE_TIMEOUT)
