"""``vrtest lab``: the embedded ``local`` lab (up, status, down, break, repair)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vrtest.console import Console
from vrtest.errors import ConfigError, ExitCode
from vrtest.lab.config import LabConfig, load_lab_config
from vrtest.lab.faults import FAULTS, break_router, repair_router
from vrtest.lab.paths import LabPaths
from vrtest.lab.state import LabState

NAME = "lab"
HELP = "run the embedded local lab: namespace VRs with real sshd, keepalived and an API"
DESCRIPTION = """\
The embedded `local` environment: Linux network namespaces shaped like a KVM zone.
A hypervisor-host namespace (sshd on 22, cloud0 169.254.0.1/16), a public gateway,
a VPC router r-4-VM, an isolated router r-5-VM and a redundant pair r-6-VM/r-7-VM
running keepalived, each with sshd on its link-local address port 3922, and a
CloudStack-compatible API on 127.0.0.1. Needs root and iproute2, iptables,
openssh-server and keepalived."""
EPILOG = """\
examples:
  vrtest lab up                           start the default lab (4 routers)
  vrtest lab up --routers 50              add 50 more routers (VPC and isolated, alternately)
  vrtest lab status --format json         routers, roles, daemons and their PIDs
  vrtest lab break r-4-VM default-route   the 2015 regression: no default route
  vrtest lab break r-6-VM split-brain     both redundant routers PRIMARY
  vrtest lab repair r-4-VM                undo every fault on r-4-VM
  vrtest lab down                         remove everything the lab made

faults: """ + ", ".join(FAULTS)


def register(parser: argparse.ArgumentParser) -> None:
    """Add the lab sub-commands (``--env`` goes before or after the verb)."""
    _env_options(parser, "local")
    where = argparse.ArgumentParser(add_help=False)
    _env_options(where, argparse.SUPPRESS)
    verbs = parser.add_subparsers(dest="lab_verb", metavar="VERB", required=True)
    up = verbs.add_parser("up", parents=[where], help="bring the lab up (idempotent)")
    up.add_argument(
        "--routers",
        type=int,
        default=None,
        metavar="N",
        help="extra routers beyond the default four, for scale (default 0; without --routers "
        "a running lab of any size is reused)",
    )
    up.set_defaults(handler=_up)
    status = verbs.add_parser("status", parents=[where], help="show routers, roles and daemons")
    status.add_argument("--format", choices=("table", "json"), default="table")
    status.set_defaults(handler=_status)
    down = verbs.add_parser("down", parents=[where], help="remove everything the lab made")
    down.set_defaults(handler=_down)
    brk = verbs.add_parser("break", parents=[where], help="inject a fault into a router")
    brk.add_argument("router", metavar="ROUTER")
    brk.add_argument("fault", metavar="FAULT", choices=FAULTS)
    brk.set_defaults(handler=_break)
    repair = verbs.add_parser("repair", parents=[where], help="undo every fault on a router")
    repair.add_argument("router", metavar="ROUTER")
    repair.set_defaults(handler=_repair)


def _env_options(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--env", default=default, help="environment name or path (default: local)")
    envs_default = None if default != argparse.SUPPRESS else argparse.SUPPRESS
    parser.add_argument(
        "--envs-dir", type=Path, default=envs_default, help="directory of environment descriptors"
    )


def _config(args: argparse.Namespace) -> LabConfig:
    return load_lab_config(args.env, envs_dir=args.envs_dir)


def _up(args: argparse.Namespace, console: Console) -> int:
    from vrtest.lab.up import lab_up

    if args.routers is not None and not 0 <= args.routers <= 200:
        raise ConfigError(f"--routers {args.routers} is out of range", hint="use 0 to 200")
    config = _config(args)
    state = lab_up(config, console, extra_routers=args.routers)
    console.print(
        f"lab {config.prefix} is up: API {state.data['api_url']}, "
        f"hypervisor host {config.host_address}:22"
    )
    return ExitCode.OK


def _down(args: argparse.Namespace, console: Console) -> int:
    from vrtest.lab.down import lab_down

    config = _config(args)
    removed = lab_down(config, console)
    console.print(f"lab {config.prefix} removed" if removed else f"lab {config.prefix} is not up")
    return ExitCode.OK


def _running_state(config: LabConfig) -> tuple[LabPaths, LabState]:
    paths = LabPaths.of(config)
    state = LabState.load(paths.state_file)
    if not state.exists or "topology" not in state.data:
        raise ConfigError(f"lab {config.prefix} is not up", hint="run `vrtest lab up` first")
    return paths, state


def _status(args: argparse.Namespace, console: Console) -> int:
    from vrtest.console import format_table
    from vrtest.lab.status import lab_status, status_rows

    config = _config(args)
    paths = LabPaths.of(config)
    state = LabState.load(paths.state_file)
    if not state.exists or "topology" not in state.data:
        if args.format == "json":
            console.print_json({"prefix": config.prefix, "phase": "down", "routers": []})
        else:
            console.print(f"lab {config.prefix} is not up")
        return ExitCode.OK
    status = lab_status(paths, state)
    if args.format == "json":
        console.print_json(status)
        return ExitCode.OK
    console.print(
        f"lab {config.prefix}: {status['phase']}, API {status['api_url']} "
        f"(pid {status['api']['pid']}, {'alive' if status['api']['alive'] else 'dead'})"
    )
    console.print(
        format_table(
            ["ROUTER", "KIND", "STATE", "ROLE", "LINK-LOCAL", "DAEMONS", "FAULTS"],
            status_rows(status),
        )
    )
    return ExitCode.OK


def _break(args: argparse.Namespace, console: Console) -> int:
    config = _config(args)
    _running_state(config)
    console.print(break_router(LabPaths.of(config), args.router, args.fault, console))
    return ExitCode.OK


def _repair(args: argparse.Namespace, console: Console) -> int:
    config = _config(args)
    _running_state(config)
    console.print(repair_router(LabPaths.of(config), args.router, console))
    return ExitCode.OK
