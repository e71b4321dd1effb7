"""A router's ``iptables-restore`` input, shaped like what CloudStack's scripts leave on a VR.

Chain names, rule order and policies follow ../shared/cloudstack/vr-outputs (main's
systemvm scripts): INPUT/FORWARD policy DROP, ``ACL_INBOUND_ethN``, ``NETWORK_STATS_ethN``,
fwmark CONNMARKs per nic and SNAT to the source-NAT IP on the public nic.
"""

from __future__ import annotations

from vrtest.lab.topology import Nic, Router, Topology

BUILTIN = {
    "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
}
VRRP = ("224.0.0.18/32", "225.0.0.50/32")
GUEST_SERVICES = (
    ("udp", 53, ""),
    ("tcp", 53, ""),
    ("tcp", 80, " -m state --state NEW"),
    ("tcp", 443, " -m state --state NEW"),
    ("tcp", 8080, " -m state --state NEW"),
)


def mark(device: str) -> str:
    """CloudStack's connection mark for ``ethN`` (0x64 + N)."""
    return hex(100 + int(device[3:]))


def _table(name: str, chains: list[str], rules: list[str]) -> list[str]:
    policy = "DROP" if name == "filter" else "ACCEPT"
    lines = [f"*{name}"]
    lines += [
        f":{chain} {policy if chain in ('INPUT', 'FORWARD') else 'ACCEPT'} [0:0]"
        for chain in BUILTIN[name]
    ]
    lines += [f":{chain} - [0:0]" for chain in chains]
    return lines + rules + ["COMMIT"]


def _guest_input(nic: Nic, cidr: str) -> list[str]:
    return [
        f"-A INPUT -s {cidr} -i {nic.device} -p {proto} -m {proto} --dport {port}{state} -j ACCEPT"
        for proto, port, state in GUEST_SERVICES
    ]


def _stats(chain: str, inside: str, public: str) -> list[str]:
    return [
        f"-A {chain} -i {inside} -o {public}",
        f"-A {chain} -i {public} -o {inside}",
        f"-A {chain} ! -i {inside} -o {public} -p tcp",
        f"-A {chain} -i {public} ! -o {inside} -p tcp",
    ]


def vpc_rules(router: Router, topology: Topology) -> str:
    """iptables-restore text for a VPC router (eth0 control, eth1 public, eth2.. tiers)."""
    public, tiers = router.nic("Public"), router.guest_nics()
    cidrs = {nic.device: topology.network(nic.network).cidr for nic in tiers}
    pub = public.device
    lines = _table(
        "mangle",
        [f"ACL_OUTBOUND_{t.device}" for t in tiers] + [f"VPN_STATS_{pub}"],
        _vpc_mangle(pub, tiers, cidrs),
    )
    lines += _table(
        "filter",
        [f"ACL_INBOUND_{t.device}" for t in tiers] + ["FW_EGRESS_RULES", f"NETWORK_STATS_{pub}"],
        _vpc_filter(router, topology, cidrs),
    )
    lines += _table("nat", [], [f"-A POSTROUTING -o {pub} -j SNAT --to-source {public.address}"])
    return "\n".join(lines) + "\n"


def _vpc_mangle(pub: str, tiers: list[Nic], cidrs: dict[str, str]) -> list[str]:
    mangle = [
        f"-A PREROUTING -i {t.device} -m state --state RELATED,ESTABLISHED -j CONNMARK "
        "--restore-mark --nfmask 0xffffffff --ctmask 0xffffffff"
        for t in tiers
    ]
    mangle.append(
        f"-A PREROUTING -i {pub} -m state --state NEW -j CONNMARK "
        f"--set-xmark {mark(pub)}/0xffffffff"
    )
    mangle += [
        f"-A PREROUTING -s {cidrs[t.device]} ! -d {t.address}/32 -i {t.device} "
        f"-m state --state NEW -j ACL_OUTBOUND_{t.device}"
        for t in tiers
    ]
    mangle += [
        f"-A FORWARD -j VPN_STATS_{pub}",
        "-A OUTPUT -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill",
        "-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill",
    ]
    mangle += [f"-A ACL_OUTBOUND_{t.device} -d {group} -j ACCEPT" for t in tiers for group in VRRP]
    mangle += [
        f"-A VPN_STATS_{pub} -o {pub} -m mark --mark 0x525",
        f"-A VPN_STATS_{pub} -i {pub} -m mark --mark 0x524",
    ]
    return mangle


def _vpc_filter(router: Router, topology: Topology, cidrs: dict[str, str]) -> list[str]:
    pub, control, tiers = router.nic("Public").device, router.nic("Control"), router.guest_nics()
    vpc_cidr = next(v.cidr for v in topology.vpcs if v.key == router.vpc)
    filt = [f"-A INPUT -j NETWORK_STATS_{pub}"] + [f"-A INPUT -d {g} -j ACCEPT" for g in VRRP]
    filt += [
        "-A INPUT -p icmp -j ACCEPT",
        "-A INPUT -i lo -j ACCEPT",
        f"-A INPUT -i {control.device} -p tcp -m tcp --dport 3922 -m state "
        "--state NEW,ESTABLISHED -j ACCEPT",
        "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
    ]
    for tier in tiers:
        filt.append(f"-A INPUT -i {tier.device} -p udp -m udp --dport 67 -j ACCEPT")
        filt += _guest_input(tier, cidrs[tier.device])
    filt += [
        f"-A FORWARD -j NETWORK_STATS_{pub}",
        "-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT",
        f"-A FORWARD -s {vpc_cidr} ! -d {vpc_cidr} -j ACCEPT",
    ]
    filt += [
        f"-A FORWARD -d {cidrs[t.device]} -o {t.device} -j ACL_INBOUND_{t.device}" for t in tiers
    ]
    filt.append(f"-A OUTPUT -j NETWORK_STATS_{pub}")
    for tier in tiers:
        filt += [f"-A ACL_INBOUND_{tier.device} -d {g} -j ACCEPT" for g in reversed(VRRP)]
        filt.append(f"-A ACL_INBOUND_{tier.device} -j DROP")
    filt += [
        f"-A NETWORK_STATS_{pub} -s {vpc_cidr} -o {pub}",
        f"-A NETWORK_STATS_{pub} -d {vpc_cidr} -i {pub}",
        f"-A NETWORK_STATS_{pub} ! -s {vpc_cidr} -o {pub} -p tcp",
        f"-A NETWORK_STATS_{pub} ! -d {vpc_cidr} -i {pub} -p tcp",
    ]
    return filt


def isolated_rules(router: Router, topology: Topology) -> str:
    """iptables-restore text for an isolated router (eth0 guest, eth1 control, eth2 public)."""
    p, ip = router.nic("Public").device, router.nic("Public").address
    lines = _table("mangle", [f"FIREWALL_{ip}", f"VPN_{ip}"], _isolated_mangle(p, ip))
    lines += _table(
        "filter",
        ["FW_EGRESS_RULES", "FW_OUTBOUND", "NETWORK_STATS", f"NETWORK_STATS_{p}"],
        _isolated_filter(router, topology),
    )
    lines += _table("nat", [], [f"-A POSTROUTING -o {p} -j SNAT --to-source {ip}"])
    return "\n".join(lines) + "\n"


def _isolated_mangle(p: str, ip: str) -> list[str]:
    return [
        f"-A PREROUTING -d {ip}/32 -j FIREWALL_{ip}",
        f"-A PREROUTING -d {ip}/32 -j VPN_{ip}",
        "-A PREROUTING -m state --state RELATED,ESTABLISHED -j CONNMARK --restore-mark "
        "--nfmask 0xffffffff --ctmask 0xffffffff",
        f"-A PREROUTING -i {p} -m state --state NEW -j CONNMARK --set-xmark {mark(p)}/0xffffffff",
        "-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill",
        f"-A FIREWALL_{ip} -m state --state RELATED,ESTABLISHED -j RETURN",
        f"-A FIREWALL_{ip} -j DROP",
        f"-A VPN_{ip} -m state --state RELATED,ESTABLISHED -j ACCEPT",
        f"-A VPN_{ip} -j RETURN",
    ]


def _isolated_filter(router: Router, topology: Topology) -> list[str]:
    guest, control, public = router.nic("Guest"), router.nic("Control"), router.nic("Public")
    g, c, p = guest.device, control.device, public.device
    filt = [f"-A INPUT -j NETWORK_STATS_{p}", "-A INPUT -j NETWORK_STATS"]
    filt += [f"-A INPUT -d {group} -j ACCEPT" for group in VRRP]
    filt += [
        f"-A INPUT -i {dev} -m state --state RELATED,ESTABLISHED -j ACCEPT" for dev in (g, c, p)
    ]
    filt += [
        "-A INPUT -p icmp -j ACCEPT",
        "-A INPUT -i lo -j ACCEPT",
        f"-A INPUT -i {g} -p udp -m udp --dport 67 -j ACCEPT",
        f"-A INPUT -i {g} -p udp -m udp --dport 53 -j ACCEPT",
        f"-A INPUT -i {g} -p tcp -m tcp --dport 53 -j ACCEPT",
        f"-A INPUT -i {c} -p tcp -m tcp --dport 3922 -m state --state NEW,ESTABLISHED -j ACCEPT",
        f"-A INPUT -i {g} -p tcp -m tcp --dport 80 -m state --state NEW -j ACCEPT",
    ]
    filt += _guest_input(guest, topology.network(guest.network).cidr)
    filt += [
        f"-A FORWARD -j NETWORK_STATS_{p}",
        "-A FORWARD -j NETWORK_STATS",
        f"-A FORWARD -i {g} -o {c} -m state --state RELATED,ESTABLISHED -j ACCEPT",
        f"-A FORWARD -i {p} -o {g} -m state --state RELATED,ESTABLISHED -j ACCEPT",
        f"-A FORWARD -i {g} -o {g} -m state --state NEW -j ACCEPT",
        f"-A FORWARD -i {g} -o {g} -m state --state RELATED,ESTABLISHED -j ACCEPT",
        f"-A FORWARD -i {g} -o {p} -j FW_OUTBOUND",
        f"-A OUTPUT -j NETWORK_STATS_{p}",
        "-A OUTPUT -j NETWORK_STATS",
        "-A FW_EGRESS_RULES -j ACCEPT",
        "-A FW_OUTBOUND -m state --state RELATED,ESTABLISHED -j ACCEPT",
        "-A FW_OUTBOUND -j FW_EGRESS_RULES",
    ]
    return filt + _stats("NETWORK_STATS", g, p) + _stats(f"NETWORK_STATS_{p}", g, p)


def router_rules(router: Router, topology: Topology) -> str:
    """The iptables-restore text for any router."""
    return vpc_rules(router, topology) if router.kind == "vpc" else isolated_rules(router, topology)
