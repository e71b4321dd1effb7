"""Boot emulation and databag application, exactly as the VR and the management server do.

Boot replays the part of cloud-early-config that runs before the first databag (see
docs/fastlane.md), then runs the tree's own ``setup/postinit.sh``. A databag is written to
``/var/cache/cloud/<file>`` and ``/opt/cloud/bin/update_config.py <file>`` runs on it.
"""

from __future__ import annotations

import ipaddress
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from vrtest.fastlane.sandbox import Router, SandboxError

SCRIPT_TIMEOUT = 60.0
# The template's /etc/sysctl.conf, as systemd-sysctl applies it at boot (ip_forward among
# them), limited to the keys that belong to the router's network namespace: the rest
# (kernel.*, vm.*, net.core.*) would change the host.
SYSCTL = ("[ -f /etc/sysctl.conf ] && grep -E '^[[:space:]]*net\\.ipv[46]\\.' /etc/sysctl.conf"
          " | tr -d ' \\t' | xargs -r sysctl -q -e -w >/dev/null || true")


@dataclass(frozen=True)
class StepOutcome:
    """One script run inside a router: boot or one databag."""

    router: str
    step: str
    exit_status: int
    duration: float
    output: str

    @property
    def ok(self) -> bool:
        """True when the script exited 0."""
        return self.exit_status == 0


def boot(router: Router, cmd_line: dict[str, Any], *,
         timeout: float = SCRIPT_TIMEOUT) -> StepOutcome:
    """Replay the VR's boot up to and including ``setup/postinit.sh``."""
    started = time.monotonic()
    line = cmd_line.get("cmd_line")
    if not isinstance(line, dict) or "type" not in line:
        raise SandboxError(f"{router.name}: boot databag has no cmd_line.type")
    router.write("/var/cache/cloud/cmd_line.json", json.dumps(cmd_line))
    router.write("/var/cache/cloud/cmdline",
                 " ".join(f"{key}={value}" for key, value in line.items()) + "\n")
    script = boot_script(line)
    result = router.run(["/bin/bash", "-c", script], timeout=timeout)
    return StepOutcome(router.name, "boot", result.returncode, time.monotonic() - started,
                       result.stdout + result.stderr)


def boot_script(line: dict[str, Any]) -> str:
    """The shell commands init.sh / vpcrouter.sh run before postinit.sh, for this cmd_line."""
    kind = str(line["type"])
    commands = [SYSCTL]
    for nic in boot_nics(line):
        ip_key, mask_key = f"{nic}ip", f"{nic}mask"
        if line.get(ip_key) and line.get(mask_key):
            prefix = ipaddress.ip_network(f"0.0.0.0/{line[mask_key]}").prefixlen
            commands.append(f"ip addr add {ipaddress.ip_address(line[ip_key])}/{prefix} dev {nic}")
        commands.append(f"ip link set {nic} up")
    table = "router" if kind == "dhcpsrvr" else kind
    commands.append(f"[ -f /etc/iptables/iptables-{table} ] && "
                    f"cp /etc/iptables/iptables-{table} /etc/iptables/rules.v4")
    if kind == "vpcrouter":
        commands.append("[ -f /etc/vpcdnsmasq.conf ] && cp /etc/vpcdnsmasq.conf /etc/dnsmasq.conf")
    commands.append("/opt/cloud/bin/setup/postinit.sh || exit $?")
    commands.append("systemctl start ssh")  # sshd on 3922, as the VR's systemd starts it
    return "\n".join(commands)


def boot_nics(line: dict[str, Any]) -> list[str]:
    """The nics init.sh configures: a VPC router only eth0, other types every ethN given."""
    if line["type"] == "vpcrouter":
        return ["eth0"]
    nics = {key[:-2] for key in line if key.startswith("eth") and key.endswith("ip")}
    return sorted(n for n in nics if n[3:].isdigit())


def apply_bag(router: Router, file_name: str, bag: dict[str, Any], *,
              timeout: float = SCRIPT_TIMEOUT) -> StepOutcome:
    """Write a databag as the management server does (``name.json.<uuid>``) and apply it."""
    if "/" in file_name or file_name.startswith("."):
        raise SandboxError(f"databag file name {file_name!r} must be a plain file name")
    started = time.monotonic()
    remote = f"{file_name}.{uuid.uuid4()}" if file_name.endswith("json") else file_name
    router.write(f"/var/cache/cloud/{remote}", json.dumps(bag))
    result = router.run(["/opt/cloud/bin/update_config.py", remote],
                        cwd="/opt/cloud/bin", timeout=timeout)
    return StepOutcome(router.name, file_name, result.returncode, time.monotonic() - started,
                       result.stdout + result.stderr)
