"""Environment descriptors: where tests run, how routers are reached, and their secrets.

``load_environment(ref)`` is the entry point other parts use; see DESIGN.md.
"""

from vrtest.environment.loader import (
    ENV_PATH_VARIABLE,
    Inspection,
    discover,
    find_descriptor,
    inspect_descriptor,
    load_environment,
    search_dirs,
)
from vrtest.environment.model import (
    Capabilities,
    Cluster,
    Database,
    DeployStep,
    Environment,
    Host,
    LabSettings,
    Management,
    MarvinSettings,
    Pod,
    SshLogin,
    VrAccess,
    Zone,
)

__all__ = [
    "ENV_PATH_VARIABLE",
    "Capabilities",
    "Cluster",
    "Database",
    "DeployStep",
    "Environment",
    "Host",
    "Inspection",
    "LabSettings",
    "Management",
    "MarvinSettings",
    "Pod",
    "SshLogin",
    "VrAccess",
    "Zone",
    "discover",
    "find_descriptor",
    "inspect_descriptor",
    "load_environment",
    "search_dirs",
]
