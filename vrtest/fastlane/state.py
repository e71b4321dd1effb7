"""A router's observable state (routes, rules, iptables, daemons, configs) and its diff.

The state is captured with one command inside the sandbox and kept as sorted lines per
section, so a base run and a PR run compare line by line:
``scenario vpc-2tier: default route via 172.16.0.1 dev eth1 removed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vrtest.fastlane.sandbox import Router

# Daemon and VR configs whose content is part of the state (missing files are skipped).
CONFIG_FILES = (
    "/etc/iproute2/rt_tables", "/etc/dnsmasq.d/cloud.conf", "/etc/dhcphosts.txt",
    "/etc/dhcpopts.txt", "/etc/hosts", "/etc/keepalived/keepalived.conf",
    "/etc/conntrackd/conntrackd.conf", "/etc/haproxy/haproxy.cfg", "/etc/ipsec.conf",
    "/etc/ppp/chap-secrets", "/etc/xl2tpd/xl2tpd.conf",
)
SECTIONS: dict[str, str] = {
    "address": "ip -4 -br addr show | sed -E 's/@[^ ]+//'",
    "route": "ip -4 route show table all | grep -vE '^(local|broadcast|multicast|anycast) '",
    "rule": "ip -4 rule show",
    "iptables": "iptables-save | grep -vE '^#' | sed -E 's/ \\[[0-9]+:[0-9]+\\]$//'",
    "ipset": "ipset list -n 2>/dev/null",
    "process": "ps -eo args= | "
               "grep -vE '^(ps |/bin/bash -c|bash -c|sleep |grep |(/bin/sh -c )?arping)'",
    "service": "cat /var/log/vrtest-services.log 2>/dev/null | sort -u",
    "ipsec": "ipsec status 2>/dev/null | grep -oE '^ *[^ {[]+[{[][0-9]+[]}]: +"
             "(ESTABLISHED|INSTALLED, [A-Z]+)' | sed -E 's/[{[][0-9]+[]}]//; s/^ +//'",
    "file": "for f in {files} /etc/ipsec.d/*.conf; do [ -f \"$f\" ] && "
            "sed \"s|^|$f: |\" \"$f\" | grep -vE ': *(#|$)'; done",
}
MARK = "### vrtest-section "


@dataclass(frozen=True)
class RouterState:
    """Sorted, de-duplicated lines per section for one router."""

    router: str
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def text(self, section: str) -> str:
        """One section as text (evidence)."""
        return "\n".join(self.sections.get(section, ()))


def capture_command() -> str:
    """The single shell command that prints every section, each after a marker line."""
    files = " ".join(CONFIG_FILES)
    parts = [f"echo '{MARK}{name}'; {cmd.replace('{files}', files)}"
             for name, cmd in SECTIONS.items()]
    return "; ".join(parts) + "; true"


def capture(router: Router) -> RouterState:
    """Capture a router's state now."""
    result = router.shell(capture_command(), timeout=30)
    return parse_capture(router.name, result.stdout)


def parse_capture(router: str, text: str) -> RouterState:
    """Split the capture output into normalised sections (pure)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        if raw.startswith(MARK):
            current = raw[len(MARK):].strip()
            sections[current] = []
        elif current and raw.strip():
            sections[current].append(normalise(current, raw))
    return RouterState(router, {name: tuple(sorted(set(lines)))
                                for name, lines in sections.items()})


def normalise(section: str, line: str) -> str:
    """Drop what differs between identical runs (pids, counters, trailing blanks)."""
    line = " ".join(line.split())
    if section == "process":
        line = re.sub(r"\b\d{2,}\b(?=\.pid)", "N", line)
    return line


def diff_states(scenario: str, base: RouterState, pr: RouterState, *,
                name_router: bool = False) -> list[str]:
    """What changed from ``base`` to ``pr``, one readable line per changed state line."""
    where = f"scenario {scenario}: " + (f"{pr.router}: " if name_router else "")
    lines = []
    for section in SECTIONS:
        before, after = set(base.sections.get(section, ())), set(pr.sections.get(section, ()))
        lines += [f"{where}{describe(section, item)} removed" for item in sorted(before - after)]
        lines += [f"{where}{describe(section, item)} added" for item in sorted(after - before)]
    return lines


def describe(section: str, line: str) -> str:
    """``default via X dev Y`` -> ``default route via X dev Y``; other lines get their section."""
    if section == "route" and line.startswith("default "):
        return "default route " + line[len("default "):]
    return f"{section} {line}"
