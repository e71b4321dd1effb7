"""How a run tested: the facts a reviewer needs to trust a verdict (never a secret).

Recorded in run.json as ``how`` and rendered as "How this was tested" in summary.md and
report.html: where the changes came from, how Marvin ran, how the routers were reached.
"""

from __future__ import annotations

from typing import Any

from vrtest import __version__
from vrtest.environment import Environment
from vrtest.runner.marvin_command import attr_expression
from vrtest.runner.options import RunOptions


def how_tested(env: Environment, options: RunOptions) -> dict[str, Any]:
    """The ``how`` block of run.json."""
    return {"vrtest": __version__, "changes": options.change_source,
            "marvin": _marvin(env), "vr_access": _vr_access(env)}


def _marvin(env: Environment) -> dict[str, Any]:
    if env.kind == "fastlane":
        return {"not_run": "the fast lane runs the PR's scripts, not a zone"}
    if env.management is None:
        return {"not_run": "this environment has no management server"}
    if not env.marvin.enabled:
        return {"not_run": f"marvin.enabled is false for {env.name}"}
    settings = env.marvin
    return {"runner": settings.runner, "filter": attr_expression(settings),
            "zone": settings.zone or "",  # the descriptor's first zone unless it names one
            "hypervisor": settings.hypervisor or env.hypervisor,
            "suite_timeout": settings.suite_timeout,
            "server": env.management.address}


def _vr_access(env: Environment) -> dict[str, Any] | None:
    if env.kind == "fastlane":
        return {"via": "sandbox", "route": "the PR's systemvm scripts applied to namespace "
                                           "routers on the CI machine (no hypervisor)"}
    if not env.capabilities.real_vrs:
        return None
    access = env.vr_access
    key = access.key_on_hop or access.key_file or "the configured key"
    if access.via == "management-server":
        login = env.management.ssh if env.management else None
        hop = f"the management server {login.host if login else ''}".rstrip()
        route = f"SSH to {hop}, then each router's control address port {access.port} with {key}"
    elif access.via == "direct":
        route = f"SSH straight to each router's address port {access.port} with {key}"
    else:
        route = (f"SSH to each router's hypervisor host, then its link-local address port "
                 f"{access.port} with the host's {key}")
    return {"via": access.via, "route": route, "host_keys": access.host_key_policy}
