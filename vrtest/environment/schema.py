"""The JSON Schema of environment descriptors: the single source of truth for their shape.

``vrtest env schema`` prints it for editors (yaml-language-server, VS Code). New
environment kinds or hypervisors are one entry in ``KINDS`` / ``HYPERVISORS``
(plus, for a kind, the top-level blocks it requires in ``REQUIRED_BY_KIND``).
"""

from __future__ import annotations

from vrtest.environment.schema_types import (
    BOOL,
    CIDR,
    IPV4,
    Schema,
    array,
    enum,
    integer,
    obj,
    string,
)

SCHEMA_ID = "https://vrtest.invalid/schemas/environment.json"

HYPERVISORS: tuple[str, ...] = ("kvm", "xenserver", "vmware", "simulator")
KINDS: tuple[str, ...] = ("cloudstack", "lab", "fastlane")
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "cloudstack": ("management",),  # zones are optional: a cloud that is already deployed
    "lab": ("management", "lab"),
    "fastlane": ("fastlane",),
}
NETWORK_KINDS: tuple[str, ...] = ("isolated", "vpc", "redundant", "vpn")
VR_ACCESS_VIA: tuple[str, ...] = ("hypervisor-host", "management-server", "direct")
HOST_KEY_POLICIES: tuple[str, ...] = ("strict", "accept-new", "ignore")
MARVIN_HYPERVISORS: tuple[str, ...] = (
    "KVM", "XenServer", "VMware", "Simulator", "kvm", "xenserver", "vmware", "simulator"
)

SSH_LOGIN = obj(
    {
        "host": string("address of the SSH server"),
        "port": integer(minimum=1, default=22),
        "username": string(default="root"),
        "password": string("a ${VAR} or ${file:PATH} reference"),
        "key_file": string("private key on this machine (~ expanded)"),
    },
    "host",
    doc="SSH login (for the management server: the VMware/Hyper-V double hop)",
)

MANAGEMENT = obj(
    {
        "api_url": string("CloudStack API endpoint", format="uri"),
        "integration_port": {"type": ["integer", "null"], "minimum": 1,
                             "description": "unauthenticated API port (Marvin's mgtSvr.port)"},
        "api_key": string(),
        "secret_key": string(),
        "ca_cert": string("CA certificate for https (Marvin certCAPath)"),
        "client_cert": string("client certificate (Marvin certPath)"),
        "ssh": SSH_LOGIN,
    },
    "api_url",
)

DATABASE = obj(
    {
        "host": string(),
        "port": integer(minimum=1, default=3306),
        "user": string(default="cloud"),
        "password": string(),
        "name": string(default="cloud"),
    },
    "host",
)

TRAFFIC_TYPE = {
    "oneOf": [
        enum(("Guest", "Management", "Public", "Storage")),
        obj(
            {
                "type": enum(("Guest", "Management", "Public", "Storage")),
                "labels": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "per-hypervisor network label, e.g. {kvm: cloudbr1}"},
            },
            "type",
        ),
    ]
}

PHYSICAL_NETWORK = obj(
    {
        "name": string(),
        "vlan": string("VLAN range, e.g. 2000-2100"),
        "broadcast_domain_range": string(default="Zone"),
        "traffic_types": array(TRAFFIC_TYPE, minItems=1),
        "providers": array(string(), default=["VirtualRouter"]),
        "isolation_methods": array(string()),
        "tags": array(string()),
    },
    "name",
    "traffic_types",
)

IP_RANGE = obj(
    {"start": IPV4, "end": IPV4, "netmask": IPV4, "gateway": IPV4, "vlan": string()},
    "start",
    "end",
    "netmask",
    "gateway",
)

HOST = obj(
    {
        "address": string("IP or name the hypervisor host's sshd listens on"),
        "url": string("Marvin's host url when it is not http://<address>"),
        "username": string(default="root"),
        "password": string(),
        "key_file": string(),
    },
    "address",
)

CLUSTER = obj(
    {
        "name": string(),
        "hypervisor": enum(MARVIN_HYPERVISORS, "hypervisor name as Marvin writes it"),
        "cluster_type": enum(("CloudManaged", "ExternalManaged"), default="CloudManaged"),
        "url": string("cluster url (VMware: http://<vcenter>/<datacenter>/<cluster>)"),
        "username": string(),
        "password": string(),
        "hosts": array(HOST),
        "primary_storage": array(obj({"name": string(), "url": string()}, "name", "url")),
    },
    "name",
    "hypervisor",
)

POD = obj(
    {
        "name": string(),
        "start": IPV4,
        "end": IPV4,
        "netmask": IPV4,
        "gateway": IPV4,
        "clusters": array(CLUSTER, minItems=1),
    },
    "name",
    "start",
    "end",
    "netmask",
    "gateway",
    "clusters",
)

ZONE = obj(
    {
        "name": string(),
        "network_type": enum(("Advanced", "Basic"), default="Advanced"),
        "dns": array(IPV4, minItems=1, maxItems=2),
        "internal_dns": array(IPV4, minItems=1, maxItems=2),
        "guest_cidr": CIDR,
        "security_groups": BOOL,
        "local_storage": BOOL,
        "physical_networks": array(PHYSICAL_NETWORK),
        "public_ip_ranges": array(IP_RANGE),
        "pods": array(POD, minItems=1),
        "secondary_storage": array(
            obj({"url": string(), "provider": string(default="NFS")}, "url")
        ),
        "vmwaredc": obj(
            {"name": string(), "vcenter": string(), "username": string(), "password": string()},
            "name",
            "vcenter",
            doc="VMware datacenter (VMware zones only)",
        ),
    },
    "name",
    "dns",
    "internal_dns",
    "pods",
)

VR_ACCESS = obj(
    {
        "via": enum(VR_ACCESS_VIA, "hop to the router's control address"),
        "port": integer(minimum=1, default=3922),
        "key_on_hop": string("router key on the hop host, read over SFTP"),
        "key_file": string("router key on this machine (via: direct)"),
        "mode": enum(("forward", "ssh-command"), default="forward"),
        "host_key_policy": enum(HOST_KEY_POLICIES, default="accept-new"),
        "known_hosts": string(default="~/.vrtest/known_hosts"),
        "connect_timeout": integer(minimum=1, default=10),
        "command_timeout": integer(minimum=1, default=60),
    },
    doc="how VR checks reach a router (defaults follow the hypervisor)",
)

CAPABILITIES = obj(
    {
        "real_vrs": BOOL,
        "network_kinds": array(enum(NETWORK_KINDS), uniqueItems=True),
    },
    "real_vrs",
)

MARVIN = obj(
    {
        "enabled": {"type": "boolean", "default": True},
        "runner": enum(("nose", "pytest"), default="nose"),
        "python": string(default="python3"),
        "zone": string(),
        "hypervisor": enum(MARVIN_HYPERVISORS),
        "tags": array(string(), default=["advanced"]),
        "required_hardware": {"type": "boolean", "default": True},
        "suite_timeout": integer(minimum=1, default=3600),
        "parallel_safe": {"type": "boolean", "default": False},
        "extra_args": array(string()),
        "cloudstack": string("CloudStack source checkout holding test/integration"),
        "log_folder": string(default="/tmp/"),
        "test_data": string("Marvin TestData path"),
    },
)

DEPLOY_STEP = obj(
    {
        "name": string(),
        "argv": array(string(), "argv list; {pr}, {commit}, {branch} are filled in", minItems=1),
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
        "timeout": integer(minimum=1, default=1800),
    },
    "name",
    "argv",
)

LAB = obj(
    {
        "prefix": string(pattern="^[a-z][a-z0-9]{0,7}$"),
        "management_cidr": CIDR,
        "public_cidr": CIDR,
        "link_local_cidr": CIDR,
        "guest_cidr": CIDR,
        "api_port": integer(minimum=1, maximum=65535),
        "state_dir": string(),
        "routers": integer(minimum=1, default=1),
    },
    "prefix",
    "management_cidr",
    "public_cidr",
    "link_local_cidr",
    "guest_cidr",
    "api_port",
    "state_dir",
)


FASTLANE = obj(
    {
        "cloudstack": string("CloudStack checkout whose systemvm/debian scripts run "
                             "(--cloudstack overrides it)"),
        "base": string("git ref of the target branch: also run it and report state changes"),
        "suites": string("scenario directory (default: suites/fastlane of vrtest)"),
        "jobs": integer("scenarios run at a time", minimum=1, default=3),
        "script_timeout": integer("seconds one VR script may run", minimum=1, default=60),
        "packages": enum(("cache", "host"), "VR packages from the apt cache, or the host's",
                         default="cache"),
    },
    doc="the fast lane: sandboxed routers running a checkout's own VR scripts (kind: fastlane)",
)


def build_schema() -> Schema:
    """The whole descriptor schema (Draft 2020-12)."""
    schema = obj(
        {
            "name": string(pattern="^[A-Za-z0-9][A-Za-z0-9._-]*$"),
            "description": string(),
            "kind": enum(KINDS, default="cloudstack"),
            "hypervisor": enum(HYPERVISORS),
            "management": MANAGEMENT,
            "database": DATABASE,
            "zones": array(ZONE, minItems=1),
            "vr_access": VR_ACCESS,
            "capabilities": CAPABILITIES,
            "marvin": MARVIN,
            "global_config": {"type": "object", "additionalProperties": {"type": "string"}},
            "deploy": array(DEPLOY_STEP),
            "lab": LAB,
            "fastlane": FASTLANE,
        },
        "name",
        "hypervisor",
        "capabilities",
    )
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "vrtest environment descriptor"
    schema["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": kind}}, **_kind_default(kind)},
            "then": {"required": list(required)},
        }
        for kind, required in REQUIRED_BY_KIND.items()
    ]
    return schema


def _kind_default(kind: str) -> Schema:
    """A missing ``kind`` means the first kind (``cloudstack``); others must be named."""
    return {} if kind == KINDS[0] else {"required": ["kind"]}
