"""One-line summaries of descriptors for ``vrtest env list`` and ``env validate``."""

from __future__ import annotations

from typing import Any

from vrtest.environment.loader import Inspection


def unset_variables(inspection: Inspection) -> list[str]:
    """Distinct secret variables (or files) not available here, in file order."""
    return list(dict.fromkeys(missing.variable for missing in inspection.missing))


def status_text(inspection: Inspection) -> str:
    """``ok``, ``ok (2 secrets unset here)`` or the first error."""
    if inspection.errors:
        return inspection.errors[0].one_line()
    unset = unset_variables(inspection)
    return f"ok ({len(unset)} secrets unset here)" if unset else "ok"


def summary(inspection: Inspection, name: str) -> dict[str, Any]:
    """Plain data about one descriptor, valid or not (raw values when invalid)."""
    data = inspection.data
    env = inspection.environment
    zones = [z.name for z in env.zones] if env else [
        str(z.get("name", "?")) for z in data.get("zones", []) if isinstance(z, dict)
    ]
    caps = data.get("capabilities", {}) if isinstance(data.get("capabilities"), dict) else {}
    return {
        "name": name,
        "path": inspection.source,
        "kind": env.kind if env else data.get("kind", "cloudstack"),
        "hypervisor": env.hypervisor if env else data.get("hypervisor"),
        "zones": zones,
        "vr_access": env.vr_access.via if env and env.capabilities.real_vrs else None,
        "real_vrs": env.capabilities.real_vrs if env else caps.get("real_vrs"),
        "network_kinds": sorted(env.capabilities.network_kinds) if env else [],
        "valid": inspection.valid,
        "errors": [error.one_line() for error in inspection.errors],
        "unset_secrets": unset_variables(inspection),
    }


def capabilities_text(item: dict[str, Any]) -> str:
    """``real VRs: isolated,vpc`` or ``no real VRs``."""
    if item["real_vrs"] is None:
        return "-"
    kinds = ",".join(item["network_kinds"]) or "none"
    return f"real VRs: {kinds}" if item["real_vrs"] else f"no real VRs (API: {kinds})"


def table_row(item: dict[str, Any], status: str) -> list[str]:
    """The ``env list`` row for one summary."""
    return [
        item["name"],
        str(item["hypervisor"] or "?"),
        ",".join(item["zones"]) or "-",
        item["vr_access"] or "-",
        capabilities_text(item),
        status,
    ]
