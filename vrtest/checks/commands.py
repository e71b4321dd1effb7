"""The commands VR checks run on routers, shared so each runs once per router."""

from __future__ import annotations

# iproute2 JSON where supported, the text format on older VRs.
ROUTES = "ip -j route show table all 2>/dev/null || ip route show table all"
INTERFACES = "ip -j addr show 2>/dev/null || ip -br -4 addr"
IPTABLES = "iptables-save"
CHECKROUTER = "/opt/cloud/bin/checkrouter.sh"
DHCPHOSTS = "cat /etc/dhcphosts.txt"
IPSEC = "ipsec statusall"
# Config files whose presence says a service is configured (no output when none exist).
CONFIGURED = ("ls -1d /etc/conntrackd/conntrackd.conf /var/cache/cloud/passwords-* "
              "/etc/ipsec.d/ipsec.vpn-*.conf /etc/ipsec.d/l2tp.conf 2>/dev/null; true")
# Processes in this router's network namespace only (a lab runs many routers on one kernel;
# on a real VR this is simply every process).
PROCESSES = (
    "ps -o pid=,args= -p \"$(find /proc/[0-9]*/ns/net -maxdepth 0 "
    "-lname \"$(readlink /proc/self/ns/net | tr '[]' '??')\" -printf '%h\\n' 2>/dev/null "
    "| cut -d/ -f3 | paste -sd, -)\""
)
