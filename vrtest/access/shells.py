"""Run commands on a router: the CommandResult record, quoting in one place, channel reading."""

from __future__ import annotations

import re
import secrets
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import paramiko

from vrtest.errors import UnreachableError


@dataclass(frozen=True)
class CommandResult:
    """What one command printed and how it exited."""

    command: str
    exit_status: int
    stdout: str
    stderr: str = ""

    @property
    def ok(self) -> bool:
        """True when the command exited 0."""
        return self.exit_status == 0


class RouterShell(Protocol):
    """Something that runs shell command lines on one router."""

    name: str

    def run(self, command: str) -> CommandResult:
        """Run ``command`` (a shell command line) and return its result."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class CommandTimeout(UnreachableError):
    """A command did not finish within the command timeout."""


def quote_argv(argv: Sequence[str]) -> str:
    """The one place argv lists become a remote command line (every word shlex-quoted)."""
    return " ".join(shlex.quote(word) for word in argv)


def ssh_command_argv(key_path: str, port: int, target_ip: str, command: str,
                     connect_timeout: float) -> list[str]:
    """Marvin's hop command: ``ssh -i KEY -p PORT ... IP COMMAND`` run on the hop host."""
    return [
        "ssh", "-i", key_path, "-p", str(port),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
        "-o", f"ConnectTimeout={max(1, int(connect_timeout))}",
        target_ip, command,
    ]


def exec_on_transport(transport: paramiko.Transport, command: str, timeout: float
                      ) -> CommandResult:
    """Run ``command`` in a new session channel; raises CommandTimeout after ``timeout`` s."""
    channel = transport.open_session(timeout=timeout)
    try:
        channel.settimeout(timeout)
        channel.exec_command(command)
        deadline = time.monotonic() + timeout
        stdout = _read_until_eof(channel.recv, deadline, command)
        stderr = _read_until_eof(channel.recv_stderr, deadline, command)
        status = channel.recv_exit_status()
    finally:
        channel.close()
    return CommandResult(command, status, stdout, stderr)


def _read_until_eof(receive: Callable[[int], bytes], deadline: float, command: str) -> str:
    chunks: list[bytes] = []
    while True:
        try:
            chunk = receive(65536)
        except TimeoutError:
            chunk = None
        if chunk is None or time.monotonic() > deadline:
            raise CommandTimeout(f"command timed out: {command[:80]}")
        if not chunk:
            return b"".join(chunks).decode("utf-8", "replace")
        chunks.append(chunk)


def batch_script(commands: Sequence[str], token: str) -> str:
    """One shell script running every command in a subshell, each output framed by markers."""
    lines = []
    for index, command in enumerate(commands):
        lines.append(f"printf '\\n@@{token} {index}@@\\n'; printf '\\n@@{token} {index}@@\\n' >&2")
        lines.append(f"( {command}\n) </dev/null; printf '\\n@@{token} rc=%d@@\\n' $?")
    lines.append(f"printf '\\n@@{token} end@@\\n' >&2")
    return "\n".join(lines) + "\n"


def _between(text: str, start: str, end_pattern: str) -> tuple[str, str]:
    """The text after marker ``start`` up to ``end_pattern``, and the end marker's group."""
    begin = text.find(f"{start}\n")
    if begin < 0:
        return "", ""
    begin += len(start) + 1
    match = re.compile(end_pattern).search(text, begin)
    if match is None:
        return text[begin:], ""
    return text[begin:match.start()], match.group(1)


def run_batch(shell: RouterShell, commands: Sequence[str]) -> dict[str, CommandResult]:
    """Run ``commands`` in one session (one SSH exec instead of one per command)."""
    if not commands:
        return {}
    token = secrets.token_hex(8)
    result = shell.run(batch_script(commands, token))
    results = {}
    for index, command in enumerate(commands):
        marker = f"@@{token} {index}@@"
        stdout, status = _between(result.stdout, marker, rf"\n@@{token} rc=(\d+)@@\n")
        stderr, _ = _between(result.stderr, marker, rf"\n@@{token} (\d+|end)@@\n")
        results[command] = CommandResult(command, int(status) if status else 255, stdout, stderr)
    return results
