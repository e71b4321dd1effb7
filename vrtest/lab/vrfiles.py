"""The files each router and the hypervisor host see in their private mount-namespace views.

Pure functions from the topology to ``{path inside the view: (text, mode)}``. The
scripts are the lab's own, written to decide exactly as CloudStack's do.
"""

from __future__ import annotations

import ipaddress
import json

from vrtest.lab.topology import Network, Router, Topology

ViewFiles = dict[str, tuple[str, int]]

CHECKROUTER = """\
#!/bin/bash
# vrtest lab checkrouter.sh: decides as CloudStack's /opt/cloud/bin/checkrouter.sh does.
# FAULT when keepalived is not running; isolated router: PRIMARY when the guest nic (eth0)
# holds two inet addresses (its own and the VIP); VPC router: PRIMARY when eth1 is UP.
if ! kill -0 "$(cat /run/keepalived.pid 2>/dev/null)" 2>/dev/null; then
    echo "Status: FAULT"
    exit 0
fi
STATUS=UNKNOWN
ROUTER_TYPE=$(grep '"type"' /etc/cloudstack/cmdline.json | awk '{print $2;}' | sed -e 's/[,\\"]//g')
if [ "$ROUTER_TYPE" = "router" ]; then
    ROUTER_STATE=$(ip -4 addr show dev eth0 | grep -c inet)
    if [ "$ROUTER_STATE" -gt 1 ]; then
        STATUS=PRIMARY
    elif [ "$ROUTER_STATE" -eq 1 ]; then
        STATUS=BACKUP
    fi
elif [ "$ROUTER_TYPE" = "vpcrouter" ]; then
    if [ -z "$(ip link show eth1 | grep 'state UP')" ]; then
        STATUS=BACKUP
    else
        STATUS=PRIMARY
    fi
fi
echo "Status: ${STATUS}"
"""

TRANSITION = """\
#!/bin/sh
# vrtest lab keepalived notify hook: the public nic follows the VRRP role, as on CloudStack's
# redundant routers (PRIMARY: public nic up with the default routes; otherwise public nic down).
# dnsmasq runs on the PRIMARY only (CloudStack stops it on a BACKUP).
# keepalived does not wait for one hook before starting the next, so a late "backup" hook
# could undo a "primary" one: hooks run one at a time and follow the VIP held right now.
exec 9>/run/lab_transition.lock
flock 9
role="$1"
if [ "$role" = primary ] || [ "$role" = backup ]; then
    if ip -4 addr show dev {guest_dev} | grep -q " {vip}/"; then role=primary; else role=backup; fi
fi
case "$role" in
primary)
    ip link set dev {dev} up
    ip route replace default via {gateway} dev {dev}
    ip route replace default via {gateway} dev {dev} table {table} proto static
    running=$(cat /run/dnsmasq.pid 2>/dev/null)
    if command -v dnsmasq >/dev/null && ! kill -0 "$running" 2>/dev/null; then
        dnsmasq --conf-file=/etc/dnsmasq.conf
    fi
    ;;
backup|fault|stop)
    ip link set dev {dev} down
    kill "$(cat /run/dnsmasq.pid 2>/dev/null)" 2>/dev/null
    ;;
esac
exit 0
"""

KEEPALIVED = """\
global_defs {{
    router_id {name}
    script_user root
    enable_script_security
}}

vrrp_instance inside_network {{
    state BACKUP
    interface {guest_dev}
    virtual_router_id 51
    priority {priority}
    advert_int 1
    authentication {{
        auth_type AH
        auth_pass {password}
    }}
    virtual_ipaddress {{
        {vip}/{prefixlen} brd {broadcast} dev {guest_dev}
    }}
    notify_master "/opt/cloud/bin/lab_transition.sh primary"
    notify_backup "/opt/cloud/bin/lab_transition.sh backup"
    notify_fault "/opt/cloud/bin/lab_transition.sh fault"
    notify_stop "/opt/cloud/bin/lab_transition.sh stop"
}}
"""

VR_SSHD = """\
# vrtest lab: the router's sshd, as on a system VM (port 3922 on the control nic, key only)
Port 3922
ListenAddress {address}
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
"""

HOST_SSHD = """\
# vrtest lab: the hypervisor host's sshd (password login as in the descriptor, or the lab key)
Port 22
ListenAddress {address}
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin yes
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
AllowTcpForwarding yes
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
"""


# Lookups from inside the lab fail at once (nothing answers on the loopback) instead of
# timing out against the machine's resolver, which the lab's namespaces cannot reach.
RESOLV_CONF = (
    "# vrtest lab: no DNS inside the lab\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n"
)


DNSMASQ = """\
# vrtest lab: DHCP and DNS for the router's guest networks, as dnsmasq serves them on a VR
{interfaces}
bind-dynamic
no-resolv
no-poll
domain=cs2cloud.internal
dhcp-hostsfile=/etc/dhcphosts.txt
{ranges}
dhcp-leasefile=/run/dnsmasq.leases
pid-file=/run/dnsmasq.pid
"""


def dnsmasq_conf(router: Router, topology: Topology) -> str:
    """``/etc/dnsmasq.conf``: static DHCP from dhcphosts.txt and DNS on the guest nics."""
    interfaces, ranges = [], []
    for index, nic in enumerate(router.guest_nics()):
        network = topology.network(nic.network)
        tag = f"interface-{nic.device}-{index}"
        interfaces.append(f"interface={nic.device}")
        ranges += [
            f"dhcp-range=set:{tag},{ipaddress.IPv4Network(network.cidr).network_address},static",
            f"dhcp-option=tag:{tag},3,{network.gateway}",
        ]
    return DNSMASQ.format(interfaces="\n".join(interfaces), ranges="\n".join(ranges))


def table_id(device: str) -> int:
    """CloudStack's routing table number for ``ethN`` (``Table_ethN`` = 100 + N)."""
    return 100 + int(device[3:])


def cmdline(
    router: Router, topology: Topology, *, domain: str = "cs2cloud.internal"
) -> dict[str, object]:
    """The ``/etc/cloudstack/cmdline.json`` databag of ``router``."""
    line: dict[str, str] = {
        "type": "vpcrouter" if router.kind == "vpc" else "router",
        "name": router.name,
        "domain": domain,
        "dns1": router.nic("Public").gateway,
        "redundant_router": "true" if router.redundant else "false",
    }
    for nic in router.nics:
        if router.kind == "vpc" and nic.traffic != "Control":
            continue
        line[f"{nic.device}ip"] = nic.address
        line[f"{nic.device}mask"] = str(ipaddress.IPv4Network(f"0.0.0.0/{nic.prefixlen}").netmask)
    if router.kind == "vpc":
        line["vpccidr"] = next(v.cidr for v in topology.vpcs if v.key == router.vpc)
    else:
        line["gateway"] = router.nic("Public").gateway
        guest = topology.network(router.guest_networks[0])
        line["guestgw"] = guest.gateway
        line["router_pr"] = str(router.priority)
    return {"cmd_line": line, "id": "cmdline"}


def dhcphosts(router: Router, topology: Topology) -> str:
    """``/etc/dhcphosts.txt``: one ``mac,ip,name,infinite`` line per guest VM the router serves."""
    lines = [
        f"{vm.mac},{vm.address},{vm.name},infinite"
        for vm in topology.vms
        if vm.network in router.guest_networks
    ]
    return "".join(line + "\n" for line in lines)


def rt_tables(router: Router) -> str:
    """``/etc/iproute2/rt_tables`` with CloudStack's ``Table_ethN`` entries."""
    lines = ["255\tlocal", "254\tmain", "253\tdefault", "0\tunspec"]
    lines += [f"{table_id(nic.device)}\tTable_{nic.device}" for nic in router.nics]
    return "\n".join(lines) + "\n"


def keepalived_conf(router: Router, network: Network, password: str) -> str:
    """``/etc/keepalived/keepalived.conf`` for one router of a redundant pair."""
    subnet = ipaddress.IPv4Network(network.cidr)
    return KEEPALIVED.format(
        name=router.name,
        guest_dev=router.nic("Guest").device,
        priority=router.priority,
        password=password,
        vip=network.gateway,
        prefixlen=subnet.prefixlen,
        broadcast=subnet.broadcast_address,
    )


def router_files(
    router: Router, topology: Topology, *, authorized_key: str, vrrp_password: str
) -> ViewFiles:
    """Every file in ``router``'s view, keyed by its absolute path on the router."""
    files: ViewFiles = {
        "/etc/cloudstack/cmdline.json": (
            json.dumps(cmdline(router, topology), indent=4) + "\n",
            0o644,
        ),
        "/etc/dhcphosts.txt": (dhcphosts(router, topology), 0o644),
        "/etc/iproute2/rt_tables": (rt_tables(router), 0o644),
        "/etc/hostname": (router.name + "\n", 0o644),
        "/etc/resolv.conf": (RESOLV_CONF, 0o644),
        "/etc/ssh/sshd_config": (VR_SSHD.format(address=router.nic("Control").address), 0o644),
        "/etc/dnsmasq.conf": (dnsmasq_conf(router, topology), 0o644),
        "/opt/cloud/bin/checkrouter.sh": (CHECKROUTER, 0o755),
        "/root/.ssh/authorized_keys": (authorized_key, 0o600),
    }
    if router.redundant:
        public = router.nic("Public")
        network = topology.network(router.guest_networks[0])
        files["/etc/keepalived/keepalived.conf"] = (
            keepalived_conf(router, network, vrrp_password),
            0o644,
        )
        files["/opt/cloud/bin/lab_transition.sh"] = (
            TRANSITION.format(
                dev=public.device, gateway=public.gateway, table=table_id(public.device),
                guest_dev=router.nic("Guest").device, vip=network.gateway,
            ),
            0o755,
        )
    return files


def host_files(address: str, *, private_key: str, public_key: str, shadow: str) -> ViewFiles:
    """Every file in the hypervisor host's view."""
    return {
        "/etc/ssh/sshd_config": (HOST_SSHD.format(address=address), 0o644),
        "/etc/shadow": (shadow, 0o640),
        "/etc/hostname": ("kvm-host-1\n", 0o644),
        "/etc/resolv.conf": (RESOLV_CONF, 0o644),
        "/root/.ssh/id_rsa.cloud": (private_key, 0o600),
        "/root/.ssh/id_rsa.cloud.pub": (public_key, 0o644),
        "/root/.ssh/authorized_keys": (public_key, 0o600),
    }
