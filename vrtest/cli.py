"""The ``vrtest`` command line: parse, dispatch to a command, map errors to exit codes once."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from vrtest import __version__
from vrtest.commands import load_commands
from vrtest.console import Console
from vrtest.errors import ExitCode, Interrupted, VrtestError
from vrtest.masking import MaskingFilter

EPILOG = """\
examples:
  vrtest env list                                  environments and whether they are valid
  vrtest select --files systemvm/debian/opt/cloud/bin/cs/CsAddress.py
  vrtest lab up                                    start the embedded local lab
  vrtest run --env local --files systemvm/debian/opt/cloud/bin/cs/CsRoute.py
  vrtest run --pr 887 --env lab-kvm                a PR against a real KVM zone

exit codes: 0 ok, 1 tests or checks failed, 2 usage or configuration error,
            3 infrastructure unreachable, 130/143 interrupted (SIGINT/SIGTERM)
"""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="vrtest",
        description="Run the right CloudStack virtual-router tests for a change, "
        "check the routers themselves, and publish the evidence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vrtest {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail (repeat for debug logs)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in load_commands():
        sub = subparsers.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.register(sub)
        _inherit_verb_examples(sub, module.NAME)
    return parser


def _inherit_verb_examples(command: argparse.ArgumentParser, name: str) -> None:
    """Give each verb without its own epilog the command's example lines for that verb."""
    for action in command._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for verb, verb_parser in action.choices.items():
            prefix = f"vrtest {name} {verb}"
            lines = [line for line in (command.epilog or "").splitlines()
                     if line.strip() == prefix or line.strip().startswith(prefix + " ")]
            if lines and not verb_parser.epilog:
                verb_parser.epilog = "examples:\n" + "\n".join(lines) + "\n"
                verb_parser.formatter_class = argparse.RawDescriptionHelpFormatter


def _configure_logging(verbose: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger("vrtest")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO if verbose else logging.WARNING)


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Interrupted("SIGTERM", ExitCode.TERMINATED)


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run vrtest; return the process exit code (see :class:`vrtest.errors.ExitCode`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    console = console or Console(verbose=args.verbose)
    _configure_logging(args.verbose)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(console.out_stream)
        return ExitCode.CONFIG
    previous = signal.getsignal(signal.SIGTERM)
    if _in_main_thread():
        signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        return int(handler(args, console))
    except VrtestError as exc:
        console.error(exc.one_line())
        return int(exc.exit_code)
    except KeyboardInterrupt:
        console.error("interrupted by SIGINT; finished results were kept")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    finally:
        if _in_main_thread():
            signal.signal(signal.SIGTERM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
