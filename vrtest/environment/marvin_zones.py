"""Map one Marvin ``zones[]`` entry to a descriptor zone (used by ``env import-marvin``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from vrtest.masking import register_secret

Data = dict[str, Any]


class ImportContext:
    """Secrets become ``${VAR}`` references (one per distinct value); unmodelled keys are noted."""

    def __init__(self, env_name: str, inline: bool) -> None:
        self.prefix = "VRTEST_" + re.sub(r"[^A-Z0-9]+", "_", env_name.upper()).strip("_")
        self.inline = inline
        self.by_value: dict[str, str] = {}
        self.variables: dict[str, str] = {}  # variable -> where its value came from
        self.ignored: list[str] = []

    def take(self, data: Data, where: str, known: tuple[str, ...]) -> Data:
        """``data``; keys outside ``known`` are recorded as not carried over."""
        self.ignored += [f"{where}.{key}".lstrip(".") for key in data if key not in known]
        return data

    def secret(self, value: Any, role: str, where: str) -> Any:
        """The reference (or, inline, the value) to write for a secret ``value``."""
        if value in (None, ""):
            return value
        text = str(value)
        register_secret(text)
        if self.inline:
            return text
        if text not in self.by_value:
            name, n = f"{self.prefix}_{role}", 2
            while name in self.variables:
                name, n = f"{self.prefix}_{role}_{n}", n + 1
            self.by_value[text] = name
            self.variables[name] = where
        return "${" + self.by_value[text] + "}"


ZONE_KEYS = ("name", "networktype", "dns1", "dns2", "internaldns1", "internaldns2",
             "guestcidraddress", "securitygroupenabled", "localstorageenabled", "vmwaredc",
             "physical_networks", "ipranges", "pods", "secondaryStorages")


def import_zone(ctx: ImportContext, zone: Data, where: str) -> Data:
    """The descriptor zone for a Marvin zone."""
    ctx.take(zone, where, ZONE_KEYS)
    result: Data = {"name": zone["name"], "network_type": zone.get("networktype", "Advanced")}
    result["dns"] = [zone[k] for k in ("dns1", "dns2") if zone.get(k)]
    result["internal_dns"] = [zone[k] for k in ("internaldns1", "internaldns2") if zone.get(k)]
    if zone.get("guestcidraddress"):
        result["guest_cidr"] = zone["guestcidraddress"]
    for key, target in (("securitygroupenabled", "security_groups"),
                        ("localstorageenabled", "local_storage")):
        if key in zone:
            result[target] = str(zone[key]).lower() == "true"
    result["physical_networks"] = [
        _physical_network(ctx, net, f"{where}.physical_networks[{i}]")
        for i, net in enumerate(zone.get("physical_networks", []))
    ]
    result["public_ip_ranges"] = [
        _ip_range(ctx, r, f"{where}.ipranges[{i}]") for i, r in enumerate(zone.get("ipranges", []))
    ]
    if zone.get("vmwaredc"):
        result["vmwaredc"] = _vmwaredc(ctx, zone["vmwaredc"], f"{where}.vmwaredc")
    result["pods"] = [_pod(ctx, p, f"{where}.pods[{i}]") for i, p in enumerate(zone["pods"])]
    result["secondary_storage"] = [
        {"url": s["url"], "provider": s.get("provider", "NFS")}
        for i, s in enumerate(zone.get("secondaryStorages", []))
        if ctx.take(s, f"{where}.secondaryStorages[{i}]", ("url", "provider"))
    ]
    return result


def _physical_network(ctx: ImportContext, net: Data, where: str) -> Data:
    ctx.take(net, where, ("name", "vlan", "broadcastdomainrange", "traffictypes", "providers",
                          "isolationmethods", "tags"))
    result: Data = {"name": net["name"]}
    if net.get("vlan"):
        result["vlan"] = str(net["vlan"])
    result["broadcast_domain_range"] = net.get("broadcastdomainrange", "Zone")
    result["traffic_types"] = [_traffic_type(t) for t in net.get("traffictypes", [])]
    result["providers"] = [p["name"] for p in net.get("providers", [])]
    for key, target in (("isolationmethods", "isolation_methods"), ("tags", "tags")):
        if net.get(key):
            result[target] = list(net[key])
    return result


def _traffic_type(traffic: Data) -> Any:
    labels = {k: str(v) for k, v in traffic.items() if k != "typ" and v is not None}
    return {"type": traffic["typ"], "labels": labels} if labels else traffic["typ"]


def _ip_range(ctx: ImportContext, block: Data, where: str) -> Data:
    ctx.take(block, where, ("startip", "endip", "netmask", "gateway", "vlan"))
    result = {"start": block["startip"], "end": block["endip"], "netmask": block["netmask"],
              "gateway": block["gateway"]}
    if block.get("vlan") is not None:
        result["vlan"] = str(block["vlan"])
    return result


def _vmwaredc(ctx: ImportContext, dc: Data, where: str) -> Data:
    ctx.take(dc, where, ("name", "vcenter", "username", "password"))
    result = {"name": dc["name"], "vcenter": dc["vcenter"], "username": dc.get("username")}
    result["password"] = ctx.secret(dc.get("password"), "VCENTER_PASSWORD", f"{where}.password")
    return {k: v for k, v in result.items() if v is not None}


def _pod(ctx: ImportContext, pod: Data, where: str) -> Data:
    ctx.take(pod, where, ("name", "startip", "endip", "netmask", "gateway", "clusters"))
    result: Data = {"name": pod["name"], "start": pod["startip"], "end": pod["endip"],
                    "netmask": pod["netmask"], "gateway": pod["gateway"]}
    result["clusters"] = [
        _cluster(ctx, c, f"{where}.clusters[{i}]") for i, c in enumerate(pod.get("clusters", []))
    ]
    return result


def _cluster(ctx: ImportContext, cluster: Data, where: str) -> Data:
    ctx.take(cluster, where, ("clustername", "hypervisor", "clustertype", "url", "username",
                              "password", "hosts", "primaryStorages"))
    result: Data = {"name": cluster["clustername"], "hypervisor": cluster["hypervisor"],
                    "cluster_type": cluster.get("clustertype", "CloudManaged")}
    for key in ("url", "username"):
        if cluster.get(key):
            result[key] = cluster[key]
    if cluster.get("password"):
        role = "VCENTER_PASSWORD" if cluster.get("url") else "CLUSTER_PASSWORD"
        result["password"] = ctx.secret(cluster["password"], role, f"{where}.password")
    result["hosts"] = [_host(ctx, h, f"{where}.hosts[{i}]")
                       for i, h in enumerate(cluster.get("hosts", []))]
    result["primary_storage"] = [
        {"name": p["name"], "url": p["url"]}
        for i, p in enumerate(cluster.get("primaryStorages", []))
        if ctx.take(p, f"{where}.primaryStorages[{i}]", ("name", "url")) is not None
    ]
    return result


def _host(ctx: ImportContext, host: Data, where: str) -> Data:
    ctx.take(host, where, ("url", "username", "password"))
    address, url = host_address(str(host["url"]))
    result: Data = {"address": address}
    if url:
        result["url"] = url
    result["username"] = host.get("username", "root")
    if host.get("password"):
        result["password"] = ctx.secret(host["password"], "HOST_PASSWORD", f"{where}.password")
    return result


def host_address(url: str) -> tuple[str, str | None]:
    """A host entry's address, and its url when that is not just ``http://<address>``."""
    parts = urlsplit(url if "//" in url else f"http://{url}")
    address = parts.hostname or url
    return address, (None if url == f"http://{address}" else url)
