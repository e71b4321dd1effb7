"""Hands out router shells, keeping exactly one hop connection per hop host."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from vrtest.access.hop import HopConnection
from vrtest.access.router_shells import ForwardedShell, SshCommandShell
from vrtest.access.settings import AccessSettings, HopLogin
from vrtest.access.shells import RouterShell

if TYPE_CHECKING:
    from vrtest.environment import Environment

HopResolver = Callable[[str], "HopLogin | None"]


class AccessPool:
    """Router shells for (name, link-local IP, host address); hops are opened once and shared."""

    def __init__(self, settings: AccessSettings, hop_for_host: HopResolver) -> None:
        self.settings = settings
        self._hop_for_host = hop_for_host
        self._hops: dict[str, HopConnection] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_environment(cls, env: Environment) -> AccessPool:
        """A pool configured from an Environment's ``vr_access`` and host credentials."""
        from vrtest.access.settings import hop_login_for

        settings = AccessSettings.from_environment(env)
        return cls(settings, lambda address: hop_login_for(env, settings, address))

    def hop(self, host_address: str) -> HopConnection | None:
        """The shared connection to the hop for routers on ``host_address``."""
        login = self._hop_for_host(host_address)
        if login is None:
            return None
        key = f"{login.username}@{login.address}:{login.port}"
        with self._lock:
            if key not in self._hops:
                self._hops[key] = HopConnection(login, self.settings)
            return self._hops[key]

    def shell(self, name: str, linklocal_ip: str, host_address: str) -> RouterShell:
        """A shell on one router (connections open lazily on the first command)."""
        hop = self.hop(host_address)
        if self.settings.mode == "ssh-command":
            if hop is None:
                raise ValueError("ssh-command mode needs a hop")
            return SshCommandShell(name, linklocal_ip, self.settings, hop)
        key = None
        if hop is not None and not self.settings.key_file:
            key = hop.vr_key()
        return ForwardedShell(name, linklocal_ip, self.settings, hop, key)

    @property
    def hop_connects(self) -> int:
        """How many SSH connections were made to hops (for tests and benchmarks)."""
        return sum(hop.connects for hop in self._hops.values())

    def close(self) -> None:
        """Close every hop connection."""
        with self._lock:
            hops, self._hops = list(self._hops.values()), {}
        for hop in hops:
            hop.close()
