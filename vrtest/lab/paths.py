"""Where one lab keeps its things, and what its namespaces and links are called."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vrtest.lab.config import LabConfig
from vrtest.lab.netns import enter_argv


@dataclass(frozen=True)
class LabPaths:
    """Names and paths of one lab, all derived from its prefix and state directory."""

    prefix: str
    lab_dir: Path

    @classmethod
    def of(cls, config: LabConfig) -> LabPaths:
        """The paths of the lab ``config`` describes."""
        return cls(config.prefix, config.lab_dir)

    @property
    def state_file(self) -> Path:
        """The state file recording every resource."""
        return self.lab_dir / "state.json"

    @property
    def runtime(self) -> Path:
        """The lab's private tmpfs: views and mount-namespace pins."""
        return self.lab_dir / "rt"

    @property
    def host_keys(self) -> Path:
        """SSH host keys by router name, kept across ``up``/``down`` and shared by the labs
        in one state directory: a router's link-local address and host key stay paired, so
        clients' known_hosts (``accept-new``) stay valid."""
        return self.lab_dir.parent / "hostkeys"

    @property
    def logs(self) -> Path:
        """Daemon logs (sshd, keepalived, API server)."""
        return self.lab_dir / "logs"

    @property
    def root_link(self) -> str:
        """The root namespace's end of the management veth (the only root-side link)."""
        return f"{self.prefix}-mgmt"

    def netns(self, name: str) -> str:
        """The network namespace of ``name`` (``host``, ``pub``, ``r-4-VM``, ``i-2-10-VM``)."""
        return f"{self.prefix}-{name}"

    def pin(self, name: str) -> Path:
        """The file pinning ``name``'s private mount namespace."""
        return self.runtime / "ns" / name

    def uts(self, name: str) -> Path:
        """The file pinning ``name``'s UTS namespace (its own host name)."""
        return self.runtime / "uts" / name

    def enter(self, name: str, argv: list[str]) -> list[str]:
        """``argv`` run inside ``name``'s network, mount and UTS namespaces."""
        return enter_argv(self.netns(name), self.pin(name), argv, uts=self.uts(name))

    def view(self, name: str) -> Path:
        """The upper directories of ``name``'s view (what it sees over the machine's files)."""
        return self.runtime / "views" / name
