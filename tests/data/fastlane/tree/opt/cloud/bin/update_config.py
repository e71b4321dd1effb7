#!/usr/bin/python
"""A miniature VR config script for vrtest's own tests (not CloudStack code).

Reads a databag from /var/cache/cloud like the real update_config.py and sets
addresses, the default route, iptables rules and dnsmasq from it.
"""
import ipaddress
import json
import os
import subprocess
import sys

CACHE = "/var/cache/cloud"
STATE = "/etc/cloudstack"


def sh(*argv):
    subprocess.run(argv, check=True)


def device_for_mac(mac):
    for dev in sorted(os.listdir("/sys/class/net")):
        with open(f"/sys/class/net/{dev}/address") as handle:
            if handle.read().strip() == mac.lower():
                return dev
    raise SystemExit(f"no device with MAC {mac}")


def prefix(netmask):
    return ipaddress.ip_network(f"0.0.0.0/{netmask}").prefixlen


def apply_ips(bag):
    for ip in bag["ip_address"]:
        dev = device_for_mac(ip["vif_mac_address"])
        with open("/etc/iproute2/rt_tables", "a") as tables:
            tables.write(f"{100 + int(dev[3:])} Table_{dev}\n")
        address = f"{ip['public_ip']}/{prefix(ip['netmask'])}"
        sh("ip", "addr", "replace", address, "dev", dev)
        sh("ip", "link", "set", dev, "up")
        if ip["nw_type"] == "public" and ip["source_nat"]:
            sh("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", dev, "-j", "SNAT",
               "--to-source", ip["public_ip"])
            # VR-DEFAULT-ROUTE-BEGIN
            sh("ip", "route", "replace", "default", "via", ip["gateway"], "dev", dev)
            sh("ip", "route", "replace", "default", "via", ip["gateway"], "dev", dev,
               "table", f"Table_{dev}")
            # VR-DEFAULT-ROUTE-END


def apply_guest(bag):
    dev = bag["device"]
    address = f"{bag['router_guest_ip']}/{prefix(bag['router_guest_netmask'])}"
    sh("ip", "addr", "replace", address, "dev", dev)
    sh("ip", "link", "set", dev, "up")
    sh("iptables", "-A", "FORWARD", "-i", dev, "-j", "ACCEPT")
    network = ipaddress.ip_network(bag["cidr"])
    with open("/etc/dnsmasq.d/cloud.conf", "w") as handle:
        handle.write(f"interface={dev}\nbind-interfaces\nno-resolv\nno-hosts\n"
                     f"dhcp-range={network.network_address},static\n"
                     "dhcp-hostsfile=/etc/dhcphosts.txt\n"
                     f"domain={bag['domain_name']}\n")
    sh("systemctl", "restart", "dnsmasq")


def apply_dhcp(bag):
    with open("/etc/dhcphosts.txt", "a") as handle:
        handle.write(f"{bag['mac_address']},{bag['ipv4_address']},{bag['host_name']},infinite\n")
    sh("systemctl", "reload", "dnsmasq")


def main(name):
    with open(os.path.join(CACHE, name)) as handle:
        bag = json.load(handle)
    os.makedirs(STATE, exist_ok=True)
    kind = bag["type"]
    if kind == "ips":
        apply_ips(bag)
    elif kind == "guestnetwork":
        apply_guest(bag)
    elif kind == "dhcpentry":
        apply_dhcp(bag)
    elif kind != "cmdline":
        raise SystemExit(f"unknown databag type {kind}")
    with open(os.path.join(STATE, f"{kind}.json"), "w") as handle:
        json.dump(bag, handle)
    if os.environ.get("VRTEST_TEST_HANG") or os.path.exists("/etc/vrtest-test-hang"):
        import time
        time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1])
