"""The commands VR checks run on routers, shared so each runs once per router."""

from __future__ import annotations

# iproute2 JSON where supported, the text format on older VRs.
ROUTES = "ip -j route show table all 2>/dev/null || ip route show table all"
INTERFACES = "ip -j addr show 2>/dev/null || ip -br -4 addr"
IPTABLES = "iptables-save"
CHECKROUTER = "/opt/cloud/bin/checkrouter.sh"
# CsRedundant binds this socket while set_primary/set_backup/set_fault run: a role change is
# under way (the public nic, routes and daemons are still being changed).
ROLE_LOCK = ("test -e /tmp/primary_lock && "
             "echo 'role change in progress: /tmp/primary_lock held'; true")
DHCPHOSTS = "cat /etc/dhcphosts.txt"
IPSEC = "ipsec statusall"
# Config files whose presence says a service is configured (no output when none exist).
# (/etc/ipsec.d/l2tp.conf is not one of them: the systemvm template ships it on every router.)
CONFIGURED = ("ls -1d /etc/conntrackd/conntrackd.conf /var/cache/cloud/passwords-* "
              "/etc/ipsec.d/ipsec.vpn-*.conf 2>/dev/null; true")
# The remote-access VPN databag CsRemoteAccessVpn configures from (an entry per public IP with
# "create": true while enabled); only these keys are printed, never the preshared key.
REMOTE_ACCESS_VPN = ("grep -sE '\"(create|vpn_server_ip)\"' "
                     "/etc/cloudstack/remoteaccessvpn.json; true")
# Processes in this router's network namespace only (a lab runs many routers on one kernel;
# on a real VR this is simply every process).
PROCESSES = (
    "ps -o pid=,args= -p \"$(find /proc/[0-9]*/ns/net -maxdepth 0 "
    "-lname \"$(readlink /proc/self/ns/net | tr '[]' '??')\" -printf '%h\\n' 2>/dev/null "
    "| cut -d/ -f3 | paste -sd, -)\""
)
