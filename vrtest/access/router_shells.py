"""Shells on one router: a forwarded SSH session through the hop, or ``ssh`` run on the hop."""

from __future__ import annotations

import paramiko

from vrtest.access.hop import HopConnection
from vrtest.access.hostkeys import apply_router_policy
from vrtest.access.lazy import SSH_ERRORS, LazyConnection
from vrtest.access.settings import AccessSettings
from vrtest.access.shells import CommandResult, exec_on_transport, quote_argv, ssh_command_argv
from vrtest.errors import UnreachableError


class ForwardedShell(LazyConnection):
    """SSH to ``ip:port`` over a ``direct-tcpip`` channel of the hop (or directly without hop)."""

    def __init__(self, name: str, ip: str, settings: AccessSettings,
                 hop: HopConnection | None, key: paramiko.PKey | None) -> None:
        super().__init__(probe_timeout=settings.connect_timeout)
        self.name = name
        self.ip = ip
        self.settings = settings
        self.hop = hop
        self.key = key

    def _open(self) -> paramiko.SSHClient:
        port = self.settings.port
        via = f" via {self.hop.login.address}" if self.hop else ""
        try:
            sock = self.hop.open_forward(self.ip, port) if self.hop else None
        except UnreachableError as exc:
            raise UnreachableError(f"router {self.name} ({self.ip}:{port}{via}) unreachable: "
                                   f"{exc.message}", hint=exc.hint) from None
        client = paramiko.SSHClient()
        apply_router_policy(client, self.settings.host_key_policy, self.settings.known_hosts_path)
        timeout = self.settings.connect_timeout
        try:
            client.connect(
                self.ip, port=port, username="root", pkey=self.key,
                key_filename=None if self.key else self.settings.key_file or None,
                sock=sock, timeout=timeout, banner_timeout=timeout, auth_timeout=timeout,
                allow_agent=False, look_for_keys=False,
            )
        except SSH_ERRORS as exc:
            client.close()
            raise UnreachableError(f"router {self.name} ({self.ip}:{port}{via}) unreachable:"
                                   f" {exc or type(exc).__name__}") from None
        return client

    def run(self, command: str) -> CommandResult:
        """Run ``command`` on the router, reconnecting once if the transport dropped."""
        timeout = self.settings.command_timeout
        try:
            return self.retry_once(lambda t: exec_on_transport(t, command, timeout))
        except SSH_ERRORS as exc:
            raise UnreachableError(f"router {self.name}: {exc}") from None


class SshCommandShell:
    """Marvin's way: run ``ssh -i KEY -p 3922 IP CMD`` on the hop for each command."""

    def __init__(self, name: str, ip: str, settings: AccessSettings, hop: HopConnection) -> None:
        self.name = name
        self.ip = ip
        self.settings = settings
        self.hop = hop

    def run(self, command: str) -> CommandResult:
        """Run ``command`` on the router through the hop's ssh client."""
        argv = ssh_command_argv(self.settings.key_on_hop, self.settings.port, self.ip, command,
                                self.settings.connect_timeout)
        result = self.hop.run(quote_argv(argv), self.settings.command_timeout)
        if result.exit_status == 255:  # ssh's own failure: the router was not reached
            raise UnreachableError(f"router {self.name} ({self.ip}:{self.settings.port} via "
                                   f"{self.hop.login.address}) unreachable: "
                                   f"{result.stderr.strip()[:200]}")
        return CommandResult(command, result.exit_status, result.stdout, result.stderr)

    def close(self) -> None:
        """Nothing to close: the hop connection is shared."""
