"""The "How this was tested" lines, from run.json's ``how`` block (plain text; callers escape)."""

from __future__ import annotations

from typing import Any


def how_lines(meta: dict[str, Any]) -> list[str]:
    """One line each for changes, Marvin, VR access and vrtest itself ([] for older runs)."""
    how = meta.get("how")
    if not isinstance(how, dict):
        return []
    lines = [f"Changes: {how.get('changes') or 'not recorded'}"]
    marvin = how.get("marvin")
    if isinstance(marvin, dict) and "runner" in marvin:
        lines.append(
            f"Marvin: {marvin.get('runner')} with -a {marvin.get('filter')}, zone "
            f"{marvin.get('zone') or 'n/a'}, hypervisor {marvin.get('hypervisor') or 'n/a'}, "
            f"management server {marvin.get('server') or 'n/a'}, "
            f"{marvin.get('suite_timeout')} s per suite")
    else:
        why = marvin.get("not_run") if isinstance(marvin, dict) else None
        lines.append(f"Marvin: not run here ({why or 'no management server'})")
    access = how.get("vr_access")
    if isinstance(access, dict):
        keys = f"; host keys: {access['host_keys']}" if access.get("host_keys") else ""
        lines.append(f"VR checks: {access.get('route')}{keys}")
    else:
        lines.append("VR checks: none (this environment has no real virtual routers)")
    lines.append(f"vrtest {how.get('vrtest', '?')}")
    return lines
