"""Run commands on a router: the CommandResult record, quoting in one place, channel reading."""

from __future__ import annotations

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
