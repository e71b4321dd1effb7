"""Parse small VR files and listings: /etc/dhcphosts.txt, process lists."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class DhcpHost:
    """One ``/etc/dhcphosts.txt`` line: ``mac,ip,name,lease``."""

    mac: str
    ip: str
    name: str = ""


def parse_dhcphosts(output: str) -> list[DhcpHost]:
    """Parse dnsmasq's dhcp-hostsfile as CloudStack writes it (IPv4 lines)."""
    hosts = []
    for line in output.splitlines():
        fields = [field.strip() for field in line.split(",")]
        if len(fields) < 2 or not fields[0] or line.lstrip().startswith("#"):
            continue
        hosts.append(DhcpHost(fields[0].lower(), fields[1], fields[2] if len(fields) > 2 else ""))
    return hosts


@dataclass(frozen=True)
class Process:
    """A running process: its PID and command line."""

    pid: int
    args: str

    @property
    def program(self) -> str:
        """The basename of the executable (``/usr/sbin/sshd`` -> ``sshd``)."""
        first = self.args.split(maxsplit=1)[0] if self.args else ""
        return os.path.basename(first.rstrip(":"))


def parse_processes(output: str) -> list[Process]:
    """Parse ``ps -o pid=,args=`` lines."""
    processes = []
    for line in output.splitlines():
        pid, _, args = line.strip().partition(" ")
        if pid.isdigit():
            processes.append(Process(int(pid), args.strip()))
    return processes


def running(processes: list[Process], program: str) -> list[Process]:
    """Processes running ``program`` as the executable or as the script of an interpreter."""
    return [p for p in processes
            if p.program == program or any(os.path.basename(word) == program
                                            for word in p.args.split()[1:2])]
