"""Selection rules as data (``suites/map.yaml``): loading, validation and glob matching."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from vrtest.errors import ConfigError
from vrtest.selector.catalog import suites_dir

CHECK_NAMES = ("default-route", "iptables-policy", "redundant-state", "vpn", "dhcp-dns", "services")
RULE_KINDS = ("suites", "marvin-test", "marvin-lib")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "{bin}": ("{vr}/opt/cloud/bin",),
    "{vr}": ("systemvm/debian", "systemvm/patches/debian/config"),
    "{cs}": ("cs/", ""),
    "{core}": ("core/src/main/java", "core/src"),
    "{server}": ("server/src/main/java", "server/src"),
}
_WILDCARD = re.compile(r"[*?\[{]")


@dataclass(frozen=True)
class SuiteRef:
    """A suite a rule names: path under test/integration, optional test names, why."""

    path: str
    tests: tuple[str, ...] = ()
    why: str = ""


@dataclass(frozen=True)
class Rule:
    """One selection rule: which paths, which area, what it selects, and why."""

    id: str
    area: str
    reason: str
    globs: tuple[str, ...]
    suites: tuple[SuiteRef, ...] = ()
    checks: tuple[str, ...] = ()
    kind: str = "suites"
    vr_set: bool = False
    none: bool = False
    baseline: bool = True
    matcher: GlobSet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", GlobSet(self.globs))

    def matches(self, path: str) -> bool:
        """True when ``path`` matches any of the rule's globs."""
        return self.matcher.matches(path)


@dataclass(frozen=True)
class RuleSet:
    """All rules plus the VR trees, the whole-VR set and the classifier's evidence."""

    rules: tuple[Rule, ...]
    vr_trees: GlobSet
    vr_set: tuple[SuiteRef, ...]
    vr_set_reason: str
    vr_set_checks: tuple[str, ...]
    baseline: tuple[SuiteRef, ...]
    baseline_reason: str
    baseline_checks: tuple[str, ...]
    evidence: dict[str, Any]
    reviewed_not_vr: dict[str, str]
    path: str
    marvin_shared: tuple[str, ...] = ()

    def matching(self, path: str) -> list[Rule]:
        """Every rule whose globs match ``path``."""
        return [rule for rule in self.rules if rule.matches(path)]

    def in_vr_tree(self, path: str) -> bool:
        """True when ``path`` lies under a tree that holds VR code."""
        return self.vr_trees.matches(path)


class GlobSet:
    """Globs compiled to one regex, with literal prefixes checked first (cheap rejection)."""

    def __init__(self, globs: tuple[str, ...]) -> None:
        expanded = [g for glob in globs for g in expand_placeholders(glob)]
        self.prefixes = tuple(sorted({_WILDCARD.split(g, 1)[0] for g in expanded}))
        body = "|".join(glob_to_regex(g) for g in expanded) or "(?!)"
        self.regex = re.compile(f"(?:{body})\\Z")

    def matches(self, path: str) -> bool:
        """True when ``path`` matches one of the globs."""
        return path.startswith(self.prefixes) and self.regex.match(path) is not None


def expand_placeholders(glob: str) -> list[str]:
    """Every concrete glob a templated glob stands for (both layouts)."""
    results = [glob]
    while any(key in text for text in results for key in PLACEHOLDERS):
        results = [expanded for text in results for expanded in _expand_once(text)]
    return list(dict.fromkeys(results))


def _expand_once(text: str) -> list[str]:
    for key, values in PLACEHOLDERS.items():
        if key in text:
            return [text.replace(key, value, 1) for value in values]
    return [text]


def glob_to_regex(glob: str) -> str:
    """Translate a path glob: ``**`` spans directories, ``*``/``?`` stay in a segment, ``{a,b}``."""
    out: list[str] = []
    index = 0
    while index < len(glob):
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif glob[index] == "*":
            out.append("[^/]*")
            index += 1
        elif glob[index] == "{" and "}" in glob[index:]:
            end = glob.index("}", index)
            choices = glob[index + 1 : end].split(",")
            out.append("(?:" + "|".join(re.escape(choice) for choice in choices) + ")")
            index = end + 1
        elif glob[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(glob[index]))
            index += 1
    return "".join(out)


def default_rules_path() -> Path:
    """``suites/map.yaml`` next to the package (``VRTEST_SUITES_DIR`` overrides)."""
    return suites_dir() / "map.yaml"


@lru_cache(maxsize=8)
def load_rules(path: Path | None = None) -> RuleSet:
    """Read and validate the rules file (cached: it is data, not state)."""
    where = path or default_rules_path()
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read rules: {exc.strerror or exc}", path=str(where)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=str(where)) from exc
    return parse_rules(data, str(where))


def parse_rules(data: Any, where: str) -> RuleSet:
    """Validate the decoded rules file and build a :class:`RuleSet`."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError("expected a mapping with a 'rules' list", path=where)
    rules = tuple(parse_rule(entry, where, index) for index, entry in enumerate(data["rules"]))
    duplicates = [rid for rid, group in itertools.groupby(sorted(r.id for r in rules))
                  if len(list(group)) > 1]
    if duplicates:
        raise ConfigError(f"duplicate rule id {duplicates[0]!r}", path=where, key="rules")
    vr_set = data.get("vr_set") or {}
    baseline = data.get("vr_baseline") or {}
    return RuleSet(
        rules=rules,
        vr_trees=GlobSet(tuple(data.get("vr_trees") or ())),
        vr_set=tuple(parse_suite(item, where, "vr_set") for item in vr_set.get("suites") or ()),
        vr_set_reason=str(vr_set.get("reason", "the whole VR set")),
        vr_set_checks=check_names(vr_set.get("checks") or CHECK_NAMES, where, "vr_set"),
        baseline=tuple(parse_suite(item, where, "vr_baseline")
                       for item in baseline.get("suites") or ()),
        baseline_reason=" ".join(str(baseline.get("reason", "VR baseline")).split()),
        baseline_checks=check_names(baseline.get("checks") or (), where, "vr_baseline"),
        evidence=dict(data.get("evidence") or {}),
        reviewed_not_vr={str(k): str(v) for k, v in (data.get("reviewed_not_vr") or {}).items()},
        path=where,
        marvin_shared=tuple(str(m) for m in data.get("marvin_shared") or ()),
    )


def parse_rule(entry: Any, where: str, index: int) -> Rule:
    """One rule entry, with a one-line error naming the rule and the bad key."""
    key = f"rules[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError("each rule must be a mapping", path=where, key=key)
    for required in ("id", "reason", "paths"):
        if not entry.get(required):
            raise ConfigError(f"rule has no {required!r}", path=where, key=key)
    rule_key = f"rule {entry['id']}"
    kind = str(entry.get("kind", "suites"))
    if kind not in RULE_KINDS:
        raise ConfigError(f"unknown kind {kind!r} (use one of {', '.join(RULE_KINDS)})",
                          path=where, key=rule_key)
    return Rule(
        id=str(entry["id"]), area=str(entry.get("area", entry["id"])),
        reason=" ".join(str(entry["reason"]).split()),
        globs=tuple(str(glob) for glob in entry["paths"]),
        suites=tuple(parse_suite(item, where, rule_key) for item in entry.get("suites") or ()),
        checks=check_names(entry.get("checks") or (), where, rule_key),
        kind=kind, vr_set=bool(entry.get("vr-set")), none=bool(entry.get("none")),
        baseline=bool(entry.get("baseline", kind == "suites")),
    )


def parse_suite(item: Any, where: str, key: str) -> SuiteRef:
    """A suite given as a path string or as ``{path, tests, why}``."""
    if isinstance(item, str):
        return SuiteRef(item)
    if isinstance(item, dict) and item.get("path"):
        return SuiteRef(str(item["path"]), tuple(str(t) for t in item.get("tests") or ()),
                        " ".join(str(item.get("why", "")).split()))
    raise ConfigError("a suite must be a path or a mapping with 'path'", path=where, key=key)


def check_names(values: Any, where: str, key: str) -> tuple[str, ...]:
    """Validated VR check names."""
    names = tuple(str(value) for value in values)
    unknown = [name for name in names if name not in CHECK_NAMES]
    if unknown:
        raise ConfigError(f"unknown VR check {unknown[0]!r} (known: {', '.join(CHECK_NAMES)})",
                          path=where, key=key)
    return names
