"""Classify suites the map does not name by what they exercise (Marvin classes, API, names).

A new or renamed VR suite is thereby selected for the areas it touches without
editing the map; the explanation names the evidence that placed it there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vrtest.selector.catalog import Catalog, SuiteInfo


@dataclass(frozen=True)
class Classified:
    """A suite's VR areas and, per area, the evidence found."""

    path: str
    areas: dict[str, tuple[str, ...]]


def signals(suite: SuiteInfo, spec: Mapping[str, Any]) -> list[str]:
    """Evidence items of ``spec`` (lib/api/helpers/names lists) found in ``suite``."""
    found = [f"uses {name}" for name in spec.get("lib") or () if name in suite.lib_classes]
    found += [f"calls {name}" for name in spec.get("api") or () if name in suite.api_commands]
    found += [f"uses {name}()" for name in spec.get("helpers") or () if name in suite.helpers]
    words = " ".join([suite.filename.lower(), *{t.cls.lower() for t in suite.tests}])
    found += [f"named '{word}'" for word in spec.get("names") or () if word in words]
    return found


def classify_suite(suite: SuiteInfo, evidence: Mapping[str, Any]) -> Classified:
    """The areas ``suite`` belongs to, each with the evidence that says so.

    An area counts when the suite shows its evidence and drives a router, or when the
    area exists only on the VR and at least ``min_signals`` (2) pieces of evidence agree.
    """
    router = signals(suite, evidence.get("router") or {})
    areas: dict[str, tuple[str, ...]] = {}
    for area, spec in (evidence.get("areas") or {}).items():
        found = signals(suite, spec)
        strong = len(found) >= int(spec.get("min_signals", 2))
        if found and (router or (spec.get("vr_only") and strong)):
            areas[str(area)] = tuple(found + router[:2])
    return Classified(suite.path, areas)


def classify_unmapped(
    catalog: Catalog, evidence: Mapping[str, Any], known: Iterable[str]
) -> dict[str, Classified]:
    """Classification of every catalog suite not in ``known`` (mapped or reviewed) paths."""
    known_paths = set(known)
    known_names = {path.rsplit("/", 1)[-1] for path in known_paths}
    result: dict[str, Classified] = {}
    for suite in catalog.suites:
        if suite.path in known_paths or suite.filename in known_names:
            continue
        classified = classify_suite(suite, evidence)
        if classified.areas:
            result[suite.path] = classified
    return result
