"""One SSH connection per hop host (hypervisor host or management server), shared by threads."""

from __future__ import annotations

import io
import socket
import threading

import paramiko

from vrtest.access.hostkeys import apply_hop_policy, remember_hop_key
from vrtest.access.lazy import SSH_ERRORS, LazyConnection
from vrtest.access.settings import AccessSettings, HopLogin
from vrtest.access.shells import CommandResult, exec_on_transport
from vrtest.errors import UnreachableError

_KEY_CLASSES: tuple[type[paramiko.PKey], ...] = (
    paramiko.RSAKey, paramiko.Ed25519Key, paramiko.ECDSAKey)


class HopConnection(LazyConnection):
    """A lazily opened, thread-safe paramiko connection to one hop, reconnected once if dropped."""

    def __init__(self, login: HopLogin, settings: AccessSettings) -> None:
        super().__init__(probe_timeout=settings.connect_timeout)
        self.login = login
        self.settings = settings
        self._vr_key: paramiko.PKey | None = None
        self._key_lock = threading.Lock()  # one SFTP read of the key, however many threads ask

    @property
    def label(self) -> str:
        """``user@address:port`` for messages."""
        return f"{self.login.username}@{self.login.address}:{self.login.port}"

    def _open(self) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        apply_hop_policy(client, self.settings.host_key_policy, self.settings.known_hosts_path)
        try:
            client.connect(
                self.login.address, port=self.login.port, username=self.login.username,
                password=self.login.password or None, key_filename=self.login.key_file or None,
                timeout=self.settings.connect_timeout, banner_timeout=self.settings.connect_timeout,
                auth_timeout=self.settings.connect_timeout, allow_agent=False, look_for_keys=False,
            )
        except paramiko.BadHostKeyException:
            client.close()
            raise UnreachableError(
                f"host key of hop {self.label} does not match {self.settings.known_hosts}",
                hint="if the host was reinstalled, remove its line from known_hosts") from None
        except paramiko.AuthenticationException:
            client.close()
            raise UnreachableError(f"hop {self.label} rejected the login",
                                   hint="check the host's credentials in the descriptor") from None
        except SSH_ERRORS as exc:
            client.close()
            raise UnreachableError(f"hop {self.label} unreachable: {exc}") from None
        remember_hop_key(client, self.settings.host_key_policy, self.settings.known_hosts_path)
        _no_delay(client)
        return client

    def open_forward(self, ip: str, port: int) -> paramiko.Channel:
        """A ``direct-tcpip`` channel from the hop to ``ip:port`` (reconnecting once)."""
        def forward(transport: paramiko.Transport) -> paramiko.Channel:
            try:
                return transport.open_channel("direct-tcpip", (ip, port), ("127.0.0.1", 0),
                                              timeout=self.settings.connect_timeout)
            except paramiko.ChannelException as exc:
                raise UnreachableError(f"the hop could not connect: {exc.text}") from None

        return self.retry_once(forward)

    def run(self, command: str, timeout: float) -> CommandResult:
        """Run ``command`` on the hop itself (reconnecting once on a dropped transport)."""
        return self.retry_once(lambda transport: exec_on_transport(transport, command, timeout))

    def vr_key(self) -> paramiko.PKey:
        """The VR key read from the hop over SFTP into memory (cached, never written to disk)."""
        with self._key_lock:
            if self._vr_key is None:
                self._vr_key = self._read_vr_key()
            return self._vr_key

    def _read_vr_key(self) -> paramiko.PKey:
        path = self.settings.key_on_hop

        def read(transport: paramiko.Transport) -> str:
            # Not SFTPClient.from_transport: it opens its channel without a timeout and
            # would wait forever on a hop that went silent.
            channel = transport.open_session(timeout=self.settings.connect_timeout)
            channel.settimeout(self.settings.command_timeout)
            channel.invoke_subsystem("sftp")
            with paramiko.SFTPClient(channel) as sftp, sftp.open(path, "r") as handle:
                return bytes(handle.read()).decode()

        try:
            text = self.retry_once(read)
        except (OSError, paramiko.SSHException, EOFError) as exc:
            raise UnreachableError(f"cannot read the VR key {path} on hop {self.login.address}:"
                                   f" {exc}", hint="set vr_access.key_on_hop or key_file") from None
        return load_private_key(text, f"{self.login.address}:{path}")


def _no_delay(client: paramiko.SSHClient) -> None:
    """Disable Nagle on the hop socket: many small channel packets share it (40 ms stalls)."""
    transport = client.get_transport()
    sock = getattr(transport, "sock", None)
    if isinstance(sock, socket.socket):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def load_private_key(text: str, where: str) -> paramiko.PKey:
    """Parse a PEM/OpenSSH private key held in memory (RSA, Ed25519 or ECDSA)."""
    for key_class in _KEY_CLASSES:
        try:
            return key_class.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise UnreachableError(f"{where} is not an unencrypted RSA, Ed25519 or ECDSA private key")
