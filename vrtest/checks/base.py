"""What a check is: commands to run on a router, a pure evaluation of their output, a verdict."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vrtest.access.shells import CommandResult
from vrtest.cloudstack.discovery import GuestVm, Router
from vrtest.cloudstack.vpns import ApiVpns
from vrtest.results import Evidence, Outcome

EXCERPT_LINES = 40
EXCERPT_CHARS = 4000


@dataclass(frozen=True)
class Verdict:
    """A check's outcome on one router, with the message and the evidence behind it."""

    outcome: Outcome
    message: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class RouterOutputs:
    """Every command result collected from one router, or why it could not be reached."""

    router: Router
    results: Mapping[str, CommandResult] = field(default_factory=dict)
    error: str = ""
    note: str = ""  # how the outputs were obtained when it matters (a re-polled election)


@dataclass(frozen=True)
class CheckContext:
    """What a check's evaluation may look at: this router's outputs and its peers'."""

    router: Router
    outputs: Mapping[str, CommandResult]
    peers: Mapping[str, RouterOutputs] = field(default_factory=dict)  # all routers, by name
    vms_by_network: Mapping[str, list[GuestVm]] | None = None
    vm_note: str = ""
    note: str = ""  # RouterOutputs.note of this router
    vpns: ApiVpns | None = None  # the VPNs the API lists (None: not asked or not available)
    vpn_note: str = ""

    def result(self, command: str) -> CommandResult:
        """The result of ``command`` on this router (exit 127 if it was never run)."""
        return self.outputs.get(command) or CommandResult(command, 127, "", "not run")

    def evidence(self, command: str, output: str | None = None, note: str = "") -> Evidence:
        """Evidence for ``command``: the given text or an excerpt of what the command printed."""
        result = self.result(command)
        text = output if output is not None else result.stdout or result.stderr
        if output is None and not result.ok:
            note = (note + "; " if note else "") + f"exit status {result.exit_status}"
        return Evidence(command, excerpt(text), self.router.name, note)


@dataclass(frozen=True)
class Check:
    """A named VR check: its commands per router and its evaluation (pure)."""

    name: str
    summary: str
    commands: Callable[[Router], tuple[str, ...]]
    evaluate: Callable[[CheckContext], Verdict]


def excerpt(text: str, lines: int = EXCERPT_LINES, chars: int = EXCERPT_CHARS) -> str:
    """The first ``lines`` lines (at most ``chars`` characters), marked when cut."""
    kept = text.splitlines()[:lines]
    cut = "\n".join(kept)[:chars]
    if len(cut) < len(text.rstrip("\n")):
        cut += "\n[... output truncated ...]"
    return cut


def passed(message: str, *evidence: Evidence) -> Verdict:
    """A passing verdict."""
    return Verdict(Outcome.PASSED, message, evidence)


def failed(message: str, *evidence: Evidence) -> Verdict:
    """A failing verdict."""
    return Verdict(Outcome.FAILED, message, evidence)


def skipped(reason: str, *evidence: Evidence) -> Verdict:
    """A check that does not apply to this router, with the reason."""
    return Verdict(Outcome.SKIPPED, reason, evidence)


def errored(message: str, *evidence: Evidence) -> Verdict:
    """The check could not be evaluated (command missing, unparsable output)."""
    return Verdict(Outcome.ERROR, message, evidence)
