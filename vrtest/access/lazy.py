"""A paramiko connection opened on first use, shared by threads, reconnected once if dropped.

"Dropped" includes a peer that went silent without closing the TCP connection (host frozen,
network partition, a NAT that forgot the flow): paramiko still calls such a transport active,
so after an error a cheap probe (open one session channel) decides whether to reconnect.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

import paramiko

SSH_ERRORS = (paramiko.SSHException, EOFError, OSError)
T = TypeVar("T")


def close_quietly(client: paramiko.SSHClient) -> None:
    """Close ``client``; a connection that already broke (EOF, reset) is closed all the same."""
    with contextlib.suppress(*SSH_ERRORS):
        client.close()


def responds(transport: paramiko.Transport, timeout: float) -> bool:
    """True when the peer answers a session-channel open within ``timeout`` seconds."""
    try:
        channel = transport.open_session(timeout=timeout)
    except SSH_ERRORS:
        return False
    with contextlib.suppress(*SSH_ERRORS):
        channel.close()
    return True


class LazyConnection:
    """Holds one ``SSHClient``; subclasses say how to open it (``_open``)."""

    def __init__(self, probe_timeout: float = 5.0) -> None:
        self.probe_timeout = probe_timeout
        self._client: paramiko.SSHClient | None = None
        self._lock = threading.Lock()
        self.connects = 0

    def _open(self) -> paramiko.SSHClient:
        """A newly connected client (raise UnreachableError when it cannot be)."""
        raise NotImplementedError

    def transport(self, *, fresh: bool = False) -> paramiko.Transport:
        """The live transport, connecting (or reconnecting when ``fresh``) as needed."""
        with self._lock:
            client = self._client
            current = client.get_transport() if client else None
            if client is None or fresh or current is None or not current.is_active():
                if client is not None:
                    close_quietly(client)
                    self._client = None
                client = self._client = self._open()
                self.connects += 1
            transport = client.get_transport()
            assert transport is not None
            return transport

    def retry_once(self, action: Callable[[paramiko.Transport], T]) -> T:
        """``action`` on the live transport; once more on a new one if the transport dropped."""
        transport = self.transport()
        try:
            return action(transport)
        except SSH_ERRORS:
            if transport.is_active() and responds(transport, self.probe_timeout):
                raise  # the connection is fine: the error is the action's own
        return action(self.transport(fresh=True))

    def close(self) -> None:
        """Close the connection (the next use opens a new one)."""
        with self._lock:
            if self._client is not None:
                close_quietly(self._client)
                self._client = None
