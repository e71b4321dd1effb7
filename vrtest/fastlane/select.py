"""Which fast-lane scenarios a selection needs: those of its changed VR areas.

Every scenario lists the selector's area names it exercises (``areas:``). A change to the
shared config engine or the template, a fallback selection, or an area no scenario names
while it is VR code, selects them all (fail-safe, as the selector does for suites).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vrtest.fastlane.scenario import Scenario

ALL_AREAS = frozenset({"shared-config-engine", "systemvm-template"})
# Areas the fast lane cannot exercise (Java, Marvin, reviewed no-impact paths).
NOT_FASTLANE = frozenset({"router-api", "marvin", "none", "bgp-routing", "monitoring-health"})


def scenarios_for(selection: Mapping[str, Any],
                  scenarios: Sequence[Scenario]) -> tuple[list[Scenario], str]:
    """The scenarios for ``selection`` (the selector's JSON) and why, in one line."""
    areas = {str(a["name"]) for a in selection.get("areas", []) if isinstance(a, Mapping)}
    if selection.get("fallback") or areas & ALL_AREAS:
        why = "fallback selection" if selection.get("fallback") else \
            ", ".join(sorted(areas & ALL_AREAS))
        return list(scenarios), f"all scenarios ({why})"
    covered = {area for s in scenarios for area in s.areas}
    unknown = areas - covered - NOT_FASTLANE
    if unknown:
        return list(scenarios), f"all scenarios (no scenario for {', '.join(sorted(unknown))})"
    chosen = [s for s in scenarios if areas & set(s.areas)]
    if not chosen:
        return [], "no VR script area changed"
    return chosen, "areas " + ", ".join(sorted(areas & covered))
