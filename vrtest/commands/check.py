"""``vrtest check``: check the routers of an environment over SSH and show the evidence."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vrtest.checks.registry import CHECK_NAMES, CHECKS
from vrtest.cloudstack.discovery import RouterFilter
from vrtest.console import Console, format_table
from vrtest.errors import ExitCode
from vrtest.results import Outcome, SuiteResult

NAME = "check"
HELP = "check the virtual routers of an environment over SSH (routes, iptables, VRRP, ...)"
DESCRIPTION = """\
Discover the environment's routers through the CloudStack API (listRouters, then listHosts for
each router's hypervisor host), reach each one as the descriptor's vr_access says (SSH to the
host, then a direct-tcpip channel to the router's link-local address on 3922), and run the VR
checks. Every verdict carries the command run and an excerpt of its output as evidence."""
EPILOG = f"""\
checks: {', '.join(CHECK_NAMES)}

examples:
  vrtest check --env local                             every check on every router
  vrtest check --env local --router r-4-VM --check default-route
  vrtest check --env lab-kvm --vpc vpc-1 --format junit -o vr-checks.xml
  vrtest check --env local --format json               the SuiteResult as JSON
  vrtest check --list                                  the checks and what they verify

exit codes: 0 every check passed (or was skipped with a reason), 1 a check failed,
            2 usage or configuration error, 3 the API, a host or a router was unreachable
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add the ``check`` options."""
    parser.add_argument("--env", help="environment name or descriptor path")
    parser.add_argument("--envs-dir", type=Path, help="directory of descriptors, searched first")
    parser.add_argument("--router", action="append", default=[], metavar="NAME",
                        help="only this router (name or id; repeatable)")
    parser.add_argument("--vpc", action="append", default=[], help="only routers of this VPC")
    parser.add_argument("--network", action="append", default=[],
                        help="only routers of this guest network (id or name)")
    parser.add_argument("--account", action="append", default=[],
                        help="only routers of this account")
    parser.add_argument("--check", action="append", default=[], choices=CHECK_NAMES,
                        metavar="NAME", help="only this check (repeatable)")
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text")
    parser.add_argument("-o", "--output", type=Path, help="write the report here, not stdout")
    parser.add_argument("--workers", type=int, default=None,
                        help="routers checked at once (default 8)")
    parser.add_argument("--list", action="store_true", help="list the checks and exit")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the checks and report them; exit 0/1/3."""
    if args.list:
        return list_checks(args, console)
    from vrtest.checks.session import run_checks
    from vrtest.environment import load_environment
    from vrtest.errors import UsageError

    if not args.env:
        raise UsageError("--env is required", hint="e.g. vrtest check --env local")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    env = load_environment(args.env, envs_dir=args.envs_dir)
    filters = RouterFilter(tuple(args.router), tuple(args.vpc), tuple(args.network),
                           tuple(args.account))
    with console.status(f"checking the routers of {env.name}"):
        result = run_checks(env, args.check, filters=filters, max_workers=args.workers,
                            progress=console.debug)
    write_report(result, args, console)
    return exit_code(result)


def list_checks(args: argparse.Namespace, console: Console) -> int:
    """``--list``: the checks, as a table or JSON, to stdout or ``--output``."""
    from vrtest.outputs import write_output

    if args.format == "json":
        text = json.dumps([{"name": c.name, "summary": c.summary} for c in CHECKS], indent=2)
    else:
        text = format_table(("CHECK", "VERIFIES"), [(c.name, c.summary) for c in CHECKS])
    if args.output:
        write_output(args.output, text + "\n", "-o")
        console.info(f"wrote the check list to {args.output}")
    else:
        console.print(text)
    return ExitCode.OK


def exit_code(result: SuiteResult) -> int:
    """1 when a check failed; else 3 when a router could not be checked; else 0."""
    outcomes = {test.outcome for test in result.tests}
    if Outcome.FAILED in outcomes:
        return ExitCode.FAILED
    if Outcome.ERROR in outcomes:
        return ExitCode.UNREACHABLE
    return ExitCode.OK


def write_report(result: SuiteResult, args: argparse.Namespace, console: Console) -> None:
    """Text, JSON or JUnit, to stdout or ``--output``."""
    from vrtest.checks.report import render

    text = render(result, args.format)
    if args.output:
        from vrtest.masking import mask
        from vrtest.outputs import write_output

        write_output(args.output, mask(text) + "\n", "-o")
        console.info(f"wrote {args.output}")
        if args.format != "text":
            console.print(render(result, "text"))
        return
    console.print(text)
