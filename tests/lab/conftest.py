"""Fixtures for the embedded lab: a unique descriptor copy, and one live lab per module."""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest
import yaml

from vrtest.console import Console
from vrtest.lab.config import LabConfig, load_lab_config
from vrtest.lab.netns import find_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_YAML = REPO_ROOT / "environments" / "local.yaml"
GOLDEN = REPO_ROOT / "tests" / "golden" / "vr-outputs"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_descriptor(directory: Path, tag: str = "") -> Path:
    """A copy of local.yaml with a prefix, management CIDR and API port unique to this run."""
    pid = os.getpid()
    data = yaml.safe_load(LOCAL_YAML.read_text())
    octet2, octet3 = 200 + pid % 40, (pid // 40 + len(tag) * 7) % 250
    prefix = f"t{tag}{pid % 100000}"[:8]
    port = free_port()
    host = f"10.{octet2}.{octet3}.2"
    data["lab"].update(
        prefix=prefix,
        management_cidr=f"10.{octet2}.{octet3}.0/24",
        api_port=port,
        state_dir=str(directory / "state"),
    )
    data["management"]["api_url"] = f"http://127.0.0.1:{port}/client/api"
    data["zones"][0]["pods"][0]["clusters"][0]["hosts"][0]["address"] = host
    path = directory / f"lab-{prefix}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def lab_can_run() -> str:
    """Why the live lab cannot run here, or '' when it can."""
    if os.geteuid() != 0:
        return "needs root"
    missing = [
        tool
        for tool in ("ip", "iptables", "sshd", "keepalived", "nsenter", "unshare")
        if find_tool(tool) is None
    ]
    return f"missing {', '.join(missing)}" if missing else ""


def running(pid: int) -> bool:
    """True when ``pid`` is a live process (a zombie waiting for init to reap it is not)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@dataclass
class LiveLab:
    """A running lab, its descriptor and configuration."""

    descriptor: Path
    config: LabConfig

    def host_client(self) -> paramiko.SSHClient:
        """SSH to the hypervisor host on 22 with the descriptor's password."""
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        client.connect(
            self.config.host_address,
            22,
            self.config.host_username,
            self.config.host_password,
            allow_agent=False,
            look_for_keys=False,
            timeout=5,
        )
        return client

    def cloud_key(self, host: paramiko.SSHClient) -> paramiko.PKey:
        """The ``id_rsa.cloud`` key, read from the host as Marvin's tests use it."""
        with host.open_sftp() as sftp, sftp.open("/root/.ssh/id_rsa.cloud") as handle:
            text = handle.read().decode()
        return paramiko.RSAKey.from_private_key(io.StringIO(text))

    def router_client(
        self, host: paramiko.SSHClient, address: str, key: paramiko.PKey
    ) -> paramiko.SSHClient:
        """SSH to a VR's link-local address on 3922 through the host (``direct-tcpip``)."""
        transport = host.get_transport()
        assert transport is not None
        channel = transport.open_channel(
            "direct-tcpip", (address, 3922), ("127.0.0.1", 0), timeout=5
        )
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        client.connect(
            address,
            3922,
            "root",
            pkey=key,
            sock=channel,
            allow_agent=False,
            look_for_keys=False,
            timeout=5,
        )
        return client


@pytest.fixture(scope="module")
def live_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveLab]:
    """Bring a lab up with a unique prefix, CIDR and port; always bring it down."""
    reason = lab_can_run()
    if reason:
        pytest.skip(f"the live lab {reason}")
    from vrtest.lab.down import lab_down
    from vrtest.lab.up import lab_up

    descriptor = write_descriptor(tmp_path_factory.mktemp("lab"))
    config = load_lab_config(str(descriptor))
    console = Console(io.StringIO(), io.StringIO())
    try:
        lab_up(config, console)
        yield LiveLab(descriptor, config)
    finally:
        lab_down(config, console)
