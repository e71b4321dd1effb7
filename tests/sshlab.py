"""A tiny KVM-shaped SSH topology in network namespaces for access tests and benchmarks.

root namespace --veth--> hop namespace (sshd :22, key login, SFTP; ``cloud0`` bridge
169.254.0.1/16) --veth--> one namespace per router (sshd on its link-local address :3922 that
accepts only the VR key, which lives in a file the hop reads). Every name carries a per-process
prefix and addresses on the root side are derived from the PID, so concurrent test sessions never
collide; ``close()`` removes everything it made, stopping processes by PID.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run an argv list (never a shell string)."""
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=30)


def available() -> str:
    """An empty string when namespaces and sshd are usable, else why not."""
    if os.geteuid() != 0:
        return "needs root for network namespaces"
    for tool in ("ip", SSHD, "ssh-keygen", "ss"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    return ""


@dataclass
class SshLab:
    """The running topology and how to reach it."""

    prefix: str
    workdir: Path
    hop_ip: str = ""
    hop_login_key: str = ""
    vr_key_on_hop: str = ""
    routers: dict[str, str] = field(default_factory=dict)  # name -> link-local IP
    namespaces: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    sshd: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def ns(self, name: str) -> str:
        """The namespace name of ``name`` (``hop`` or a router)."""
        return f"{self.prefix}-{name}"

    def in_ns(self, name: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run argv inside the namespace of ``name``."""
        return sh("ip", "netns", "exec", self.ns(name), *argv, check=check)

    def stop_sshd(self, name: str) -> None:
        """Stop the sshd of ``name`` (by PID)."""
        process = self.sshd.pop(name, None)
        if process is not None:
            process.terminate()
            process.wait(timeout=10)

    def close(self) -> None:
        """Stop every sshd, delete every namespace and root-side link made."""
        for name in list(self.sshd):
            self.stop_sshd(name)
        for namespace in self.namespaces:  # sessions a listener left behind (by PID)
            pids = sh("ip", "netns", "pids", namespace, check=False).stdout.split()
            for pid in filter(str.isdigit, pids):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
        for link in self.links:
            sh("ip", "link", "del", link, check=False)
        for namespace in self.namespaces:
            sh("ip", "netns", "del", namespace, check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _root_subnet() -> tuple[str, str]:
    """A /30 in 100.64.0.0/10 unique to this process: (root side, hop side)."""
    base = ipaddress.IPv4Address("100.64.0.0") + (os.getpid() % 2**20) * 4
    return str(base + 1), str(base + 2)


def _keygen(path: Path, kind: str = "ed25519") -> None:
    sh("ssh-keygen", "-q", "-t", kind, "-N", "", "-f", str(path))


RT_TABLES = "255 local\n254 main\n253 default\n0 unspec\n100 Table_eth0\n101 Table_eth1\n" \
    "102 Table_eth2\n103 Table_eth3\n"


def _with_rt_tables(lab: SshLab, argv: list[str]) -> list[str]:
    """Run ``argv`` in a private mount namespace whose rt_tables names Table_ethN, as a VR's."""
    tables = lab.workdir / "rt_tables"
    tables.write_text(RT_TABLES)
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount --bind "$0" /etc/iproute2/rt_tables && exec "$@"', str(tables), *argv]


def _start_sshd(lab: SshLab, name: str, listen: str, authorized: Path) -> None:
    hostkey = lab.workdir / f"hostkey-{name}"
    _keygen(hostkey)
    argv = [SSHD, "-D", "-e", "-f", "/dev/null", "-h", str(hostkey),
            "-o", f"ListenAddress={listen}", "-o", f"AuthorizedKeysFile={authorized}",
            "-o", "StrictModes=no", "-o", "PidFile=none", "-o", "UsePAM=no",
            "-o", "PermitRootLogin=prohibit-password", "-o", "PasswordAuthentication=no",
            "-o", "Subsystem=sftp internal-sftp", "-o", "AllowTcpForwarding=yes",
            "-o", "MaxStartups=100:30:200", "-o", "LogLevel=ERROR"]
    if name != "hop":
        argv = _with_rt_tables(lab, argv)
    lab.sshd[name] = subprocess.Popen(["ip", "netns", "exec", lab.ns(name), *argv],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = listen.rsplit(":", 1)[1]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listening = lab.in_ns(name, "ss", "-Hltn", f"sport = :{port}").stdout
        if listening.strip():
            return
        time.sleep(0.05)
    raise RuntimeError(f"sshd for {name} did not start listening on {listen}")


def _add_router(lab: SshLab, index: int, vr_authorized: Path) -> None:
    name = f"r-{index}-VM"
    namespace = lab.ns(name)
    lab.namespaces.append(namespace)
    sh("ip", "netns", "add", namespace)
    hop_end = f"{lab.prefix[:8]}v{index}"
    sh("ip", "-n", lab.ns("hop"), "link", "add", hop_end, "type", "veth", "peer", "name",
       "eth0", "netns", namespace)
    sh("ip", "-n", lab.ns("hop"), "link", "set", hop_end, "master", "cloud0", "up")
    linklocal = f"169.254.{3 + index // 250}.{index % 250 + 2}"
    sh("ip", "-n", namespace, "addr", "add", f"{linklocal}/16", "dev", "eth0")
    sh("ip", "-n", namespace, "link", "set", "eth0", "up")
    sh("ip", "-n", namespace, "link", "set", "lo", "up")
    _start_sshd(lab, name, f"{linklocal}:3922", vr_authorized)
    lab.routers[name] = linklocal


def start_extra_router(lab: SshLab, index: int) -> str:
    """Add router ``r-<index>-VM`` to a running topology; returns its name."""
    vr_authorized = lab.workdir / "vr_authorized"
    _add_router(lab, index, vr_authorized)
    return f"r-{index}-VM"


def start(routers: int = 2) -> SshLab:
    """Bring the topology up with ``routers`` routers (r-1-VM...)."""
    prefix = f"vck{os.getpid() % 100000}"
    lab = SshLab(prefix, Path(tempfile.mkdtemp(prefix=f"{prefix}-")))
    try:
        _build(lab, routers)
    except BaseException:
        lab.close()
        raise
    return lab


def _build(lab: SshLab, routers: int) -> None:
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
    hop_key, vr_key = lab.workdir / "hop_login", lab.workdir / "id_rsa.cloud"
    _keygen(hop_key)
    _keygen(vr_key, "rsa")
    hop_authorized, vr_authorized = lab.workdir / "hop_authorized", lab.workdir / "vr_authorized"
    hop_authorized.write_text((lab.workdir / "hop_login.pub").read_text())
    vr_authorized.write_text((lab.workdir / "id_rsa.cloud.pub").read_text())
    lab.hop_login_key, lab.vr_key_on_hop = str(hop_key), str(vr_key)
    root_ip, lab.hop_ip = _root_subnet()
    hop_ns, root_end = lab.ns("hop"), f"{lab.prefix[:9]}r"
    lab.namespaces.append(hop_ns)
    sh("ip", "netns", "add", hop_ns)
    lab.links.append(root_end)
    sh("ip", "link", "add", root_end, "type", "veth", "peer", "name", "mgmt0", "netns", hop_ns)
    sh("ip", "addr", "add", f"{root_ip}/30", "dev", root_end)
    sh("ip", "link", "set", root_end, "up")
    for argv in (("addr", "add", f"{lab.hop_ip}/30", "dev", "mgmt0"),
                 ("link", "set", "mgmt0", "up"), ("link", "set", "lo", "up"),
                 ("link", "add", "cloud0", "type", "bridge"),
                 ("addr", "add", "169.254.0.1/16", "dev", "cloud0"),
                 ("link", "set", "cloud0", "up")):
        sh("ip", "-n", hop_ns, *argv)
    _start_sshd(lab, "hop", f"{lab.hop_ip}:22", hop_authorized)
    for index in range(1, routers + 1):
        _add_router(lab, index, vr_authorized)


def make_vpc_router(lab: SshLab, name: str, *, default_route: bool = True) -> None:
    """Give router ``name`` a single VPC router's public side as CloudStack's scripts leave it:
    eth1 172.16.0.10/24, default via 172.16.0.1 in main and Table_eth1, INPUT/FORWARD DROP."""
    ns = lab.ns(name)
    sh("ip", "-n", ns, "link", "add", "eth1", "type", "veth", "peer", "name", "pub1")
    for argv in (("addr", "add", "172.16.0.10/24", "dev", "eth1"), ("link", "set", "eth1", "up"),
                 ("link", "set", "pub1", "up"),
                 ("route", "add", "throw", "172.16.0.0/24", "table", "101", "proto", "static")):
        sh("ip", "-n", ns, *argv)
    if default_route:
        sh("ip", "-n", ns, "route", "add", "default", "via", "172.16.0.1", "dev", "eth1")
        sh("ip", "-n", ns, "route", "add", "default", "via", "172.16.0.1", "dev", "eth1",
           "table", "101", "proto", "static")
    for argv in (("-N", "FW_EGRESS_RULES"),
                 ("-A", "INPUT", "-i", "eth0", "-p", "tcp", "-m", "tcp", "--dport", "3922",
                  "-j", "ACCEPT"),
                 ("-A", "INPUT", "-m", "state", "--state", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                 ("-P", "INPUT", "DROP"), ("-P", "FORWARD", "DROP")):
        lab.in_ns(name, "iptables", *argv)
