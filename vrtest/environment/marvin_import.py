"""Turn an existing Marvin setup config (.cfg, licence header and all) into a descriptor.

Secrets (passwords, API keys) become ``${VAR}`` references named after the
environment and their role; their values are never written unless asked
(``inline=True``). Keys vrtest does not model are reported, not silently dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrtest.environment.marvin_config import INTEGRATION_PORT
from vrtest.environment.marvin_zones import ImportContext, import_zone
from vrtest.errors import ConfigError

HYPERVISOR_BY_MARVIN = {"kvm": "kvm", "xenserver": "xenserver", "vmware": "vmware",
                        "simulator": "simulator"}
API_PORTS = (8080, 8443)


@dataclass
class ImportResult:
    """The descriptor data, the variables it references, and keys left behind."""

    descriptor: dict[str, Any]
    variables: dict[str, str] = field(default_factory=dict)  # name -> where it came from
    ignored: list[str] = field(default_factory=list)


def read_marvin_config(path: Path) -> dict[str, Any]:
    """Parse a .cfg as Marvin's getSetupConfig does: drop '#' lines, then JSON."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from None
    kept = [line if not line.strip().startswith("#") else "" for line in lines]
    try:
        data = json.loads("\n".join(kept))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("zones"), list):
        raise ConfigError("not a Marvin setup config: no \"zones\" list", path=str(path))
    return data


class _Importer(ImportContext):
    """Maps Marvin's top-level keys to descriptor keys (zones: ``marvin_zones``)."""

    def __init__(self, name: str, inline: bool) -> None:
        super().__init__(name, inline)
        self.name = name

    def run(self, cfg: dict[str, Any]) -> dict[str, Any]:
        """The descriptor for a whole config."""
        self.take(cfg, "", ("zones", "dbSvr", "logger", "globalConfig", "mgtSvr", "TestData"))
        zones = [import_zone(self, z, f"zones[{i}]") for i, z in enumerate(cfg["zones"])]
        hypervisor = self.hypervisor(cfg)
        servers = cfg.get("mgtSvr") or [{}]
        if len(servers) > 1:
            self.ignored.append("mgtSvr[1:] (one management server is modelled)")
        descriptor: dict[str, Any] = {
            "name": self.name,
            "description": f"Imported from a Marvin config ({zones[0]['name']})",
            "hypervisor": hypervisor,
            "management": self.management(servers[0]),
        }
        if "dbSvr" in cfg:
            descriptor["database"] = self.database(cfg["dbSvr"])
        descriptor["zones"] = zones
        real = hypervisor != "simulator"
        descriptor["capabilities"] = self.capabilities(zones, real)
        descriptor["marvin"] = self.marvin(cfg, servers[0], zones, hypervisor, real)
        if cfg.get("globalConfig"):
            descriptor["global_config"] = {
                str(item["name"]): str(item["value"]) for item in cfg["globalConfig"]
            }
        return descriptor

    def hypervisor(self, cfg: dict[str, Any]) -> str:
        """vrtest's hypervisor name, from mgtSvr or the first cluster."""
        names = [str(server.get("hypervisor", "")) for server in cfg.get("mgtSvr", [])]
        names += [
            str(cluster.get("hypervisor", ""))
            for zone in cfg["zones"]
            for pod in zone.get("pods", [])
            for cluster in pod.get("clusters", [])
        ]
        for name in names:
            if name.lower() in HYPERVISOR_BY_MARVIN:
                return HYPERVISOR_BY_MARVIN[name.lower()]
        raise ConfigError(f"no known hypervisor in the config (saw {', '.join(names) or 'none'})")

    def management(self, server: dict[str, Any]) -> dict[str, Any]:
        """The management block from ``mgtSvr[0]``."""
        known = ("mgtSvrIp", "port", "user", "passwd", "apiKey", "securityKey", "hypervisor",
                 "useHttps", "certCAPath", "certPath")
        self.take(server, "mgtSvr[0]", known)
        address = server.get("mgtSvrIp", "localhost")
        https = str(server.get("useHttps", "False")).lower() == "true"
        port = int(server.get("port", INTEGRATION_PORT))
        api_port = port if port in API_PORTS else (8443 if https else 8080)
        block: dict[str, Any] = {
            "api_url": f"{'https' if https else 'http'}://{address}:{api_port}/client/api",
            "integration_port": None if port in API_PORTS else port,
        }
        for key, role, target in (("apiKey", "API_KEY", "api_key"),
                                  ("securityKey", "SECRET_KEY", "secret_key")):
            if server.get(key):
                block[target] = self.secret(server[key], role, f"mgtSvr[0].{key}")
        for key, target in (("certCAPath", "ca_cert"), ("certPath", "client_cert")):
            if server.get(key) not in (None, "", "NA"):
                block[target] = server[key]
        if "user" in server or "passwd" in server:
            block["ssh"] = {"host": address, "username": server.get("user", "root")}
            if server.get("passwd"):
                ref = self.secret(server["passwd"], "MS_PASSWORD", "mgtSvr[0].passwd")
                block["ssh"]["password"] = ref
        return block

    def database(self, db: dict[str, Any]) -> dict[str, Any]:
        """The database block from ``dbSvr``."""
        self.take(db, "dbSvr", ("dbSvr", "port", "user", "passwd", "db"))
        block: dict[str, Any] = {"host": db.get("dbSvr", "localhost"),
                                 "port": int(db.get("port", 3306)),
                                 "user": db.get("user", "cloud")}
        if db.get("passwd"):
            block["password"] = self.secret(db["passwd"], "DB_PASSWORD", "dbSvr.passwd")
        block["name"] = db.get("db", "cloud")
        return block

    def capabilities(self, zones: list[dict[str, Any]], real: bool) -> dict[str, Any]:
        """Network kinds follow the providers; only real hypervisors run VR code."""
        providers = {p for z in zones for n in z.get("physical_networks", [])
                     for p in n.get("providers", [])}
        kinds = ["isolated"] + (["vpc"] if "VpcVirtualRouter" in providers else [])
        kinds += ["redundant", "vpn"] if real else []
        return {"real_vrs": real, "network_kinds": kinds}

    def marvin(self, cfg: dict[str, Any], server: dict[str, Any], zones: list[dict[str, Any]],
               hypervisor: str, real: bool) -> dict[str, Any]:
        """Marvin runner settings; logger and TestData carry over."""
        block: dict[str, Any] = {"enabled": True, "runner": "nose", "zone": zones[0]["name"]}
        block["hypervisor"] = server.get("hypervisor") or _first_cluster_hypervisor(zones)
        block["tags"] = ["advanced" if zones[0].get("network_type") != "Basic" else "basic"]
        block["required_hardware"] = real
        logger = cfg.get("logger")
        if isinstance(logger, dict) and logger.get("LogFolderPath"):
            block["log_folder"] = logger["LogFolderPath"]
        elif logger:
            self.ignored.append("logger (the old list form; LogFolderPath is modelled)")
        if isinstance(cfg.get("TestData"), dict) and cfg["TestData"].get("Path"):
            block["test_data"] = cfg["TestData"]["Path"]
        return block


def _first_cluster_hypervisor(zones: list[dict[str, Any]]) -> str:
    return str(zones[0]["pods"][0]["clusters"][0]["hypervisor"])


def import_marvin_config(path: Path, *, name: str, inline_secrets: bool = False) -> ImportResult:
    """The descriptor for the Marvin config at ``path``."""
    importer = _Importer(name, inline_secrets)
    descriptor = importer.run(read_marvin_config(path))
    return ImportResult(descriptor, importer.variables, importer.ignored)
