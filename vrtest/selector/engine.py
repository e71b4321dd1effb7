"""``select()``: match a change against the rules and the catalog; explain every pick."""

from __future__ import annotations

from dataclasses import dataclass, field

from vrtest.environment import Environment
from vrtest.selector.catalog import Catalog, snapshot_catalog
from vrtest.selector.changes import ChangeSet
from vrtest.selector.classify import Classified, classify_unmapped
from vrtest.selector.envfilter import Capabilities, from_environment
from vrtest.selector.resolve import apply_environment, resolve_suites
from vrtest.selector.rules import Rule, RuleSet, SuiteRef, load_rules
from vrtest.selector.selection import AreaHit, CheckPick, Decision, Selection

MARVIN_TREE = "tools/marvin/"
INTEGRATION_TREE = "test/integration/"


@dataclass
class Picks:
    """Mutable accumulator while one selection is built."""

    suites: dict[str, dict[str, None]] = field(default_factory=dict)  # path -> reasons
    narrowed: dict[str, set[str] | None] = field(default_factory=dict)  # None: whole suite
    checks: dict[str, dict[str, None]] = field(default_factory=dict)
    areas: dict[str, dict[str, None]] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    vr_set_used: bool = False
    fallback: bool = False

    def add_suite(self, ref: SuiteRef, reason: str) -> None:
        """Select ``ref`` (whole suite unless narrowed to tests) for ``reason``."""
        self.suites.setdefault(ref.path, {})[reason] = None
        if not ref.tests:
            self.narrowed[ref.path] = None
        elif ref.path not in self.narrowed:
            self.narrowed[ref.path] = set(ref.tests)
        elif (current := self.narrowed[ref.path]) is not None:
            current.update(ref.tests)

    def add_check(self, name: str, reason: str) -> None:
        """Select VR check ``name`` for ``reason``."""
        self.checks.setdefault(name, {})[reason] = None


class Selector:
    """One selection run over a rule set and a catalog."""

    def __init__(self, rules: RuleSet, catalog: Catalog) -> None:
        self.rules = rules
        self.catalog = catalog
        self.picks = Picks()

    def add_path(self, path: str) -> None:
        """Apply every matching rule to ``path``; fall back when a VR path matches none."""
        matched = self.rules.matching(path)
        if any(rule.none for rule in matched):
            matched = [rule for rule in matched if rule.none]
        for rule in matched:
            self.apply_rule(rule, path)
        if not matched:
            self.picks.unmatched.append(path)
            if self.rules.in_vr_tree(path):
                self.fall_back(path, "unmapped VR path: no rule knows it, so the whole VR set runs")
                self.picks.warnings.append(f"unmapped VR path {path}: selected the whole VR set; "
                                           "add a rule to suites/map.yaml")

    def apply_rule(self, rule: Rule, path: str) -> None:
        """Add what ``rule`` selects for ``path`` and record the decision."""
        if rule.none:
            self.picks.decisions.append(Decision(path, rule.id, rule.reason))
            return
        self.picks.areas.setdefault(rule.area, {})[path] = None
        if rule.kind == "marvin-test":
            refs = self.marvin_test(path)
        elif rule.kind == "marvin-lib":
            refs = self.marvin_lib(path)
        else:
            refs = list(rule.suites)
        for ref in refs:
            self.picks.add_suite(ref, f"{rule.id}: {ref.why or rule.reason}")
        for check in rule.checks:
            self.picks.add_check(check, f"{rule.id}: {rule.reason}")
        if rule.vr_set:
            refs += self.add_vr_set(f"{rule.id}: {rule.reason}")
        elif rule.baseline:
            refs += self.add_baseline()
        self.picks.decisions.append(Decision(
            path, rule.id, rule.reason, tuple(dict.fromkeys(r.path for r in refs)), rule.checks))

    def add_vr_set(self, reason: str) -> list[SuiteRef]:
        """Select the whole VR set (suites and checks)."""
        self.picks.vr_set_used = True
        for ref in self.rules.vr_set:
            self.picks.add_suite(ref, reason)
        for check in self.rules.vr_set_checks:
            self.picks.add_check(check, reason)
        return list(self.rules.vr_set)

    def add_baseline(self) -> list[SuiteRef]:
        """Select the small end-to-end VR baseline every VR rule implies."""
        reason = f"vr-baseline: {self.rules.baseline_reason}"
        for ref in self.rules.baseline:
            self.picks.add_suite(ref, reason)
        for check in self.rules.baseline_checks:
            self.picks.add_check(check, reason)
        return list(self.rules.baseline)

    def fall_back(self, path: str, reason: str) -> None:
        """Fail safe: select everything VR for ``path`` and say why."""
        self.picks.fallback = True
        self.picks.areas.setdefault("unmapped", {})[path] = None
        refs = self.add_vr_set(f"fallback: {reason}")
        self.picks.decisions.append(Decision(path, "fallback", reason,
                                             tuple(r.path for r in refs),
                                             self.rules.vr_set_checks))

    def marvin_test(self, path: str) -> list[SuiteRef]:
        """A changed suite file selects itself (helper modules select nothing)."""
        relative = path[len(INTEGRATION_TREE):]
        name = relative.rsplit("/", 1)[-1]
        if not name.startswith("test") or relative.startswith("broken/"):
            return []
        return [SuiteRef(relative, why="this suite itself changed")]

    def marvin_lib(self, path: str) -> list[SuiteRef]:
        """VR suites importing the changed Marvin module; all of them for shared modules."""
        module = path[len(MARVIN_TREE):].removesuffix(".py").replace("/", ".")
        module = module.removesuffix(".__init__")
        if module in self.rules.marvin_shared:
            return [SuiteRef(r.path, why=f"{module} is shared Marvin library code every "
                             "suite runs through") for r in self.rules.vr_set]
        users = [ref for ref in self.rules.vr_set if self.imports(ref.path, module)]
        if users:
            return [SuiteRef(r.path, why=f"imports {module}") for r in users]
        return [SuiteRef(r.path, why=f"{module} is Marvin plumbing every suite runs through")
                for r in self.rules.vr_set]

    def imports(self, suite_path: str, module: str) -> bool:
        """True when the catalog says ``suite_path`` imports ``module`` (or a submodule)."""
        suite = self.catalog.by_path.get(suite_path)
        return bool(suite) and any(name == module or name.startswith(module + ".")
                                   for name in suite.imports)  # type: ignore[union-attr]

    def add_classified(self) -> None:
        """Add unmapped catalog suites whose evidence places them in a touched area."""
        known = [ref.path for rule in self.rules.rules for ref in rule.suites]
        known += [ref.path for ref in self.rules.vr_set] + list(self.rules.reviewed_not_vr)
        touched = set(self.picks.areas)
        for classified in classify_unmapped(self.catalog, self.rules.evidence, known).values():
            for area, evidence in self.matching_areas(classified, touched):
                self.picks.add_suite(SuiteRef(classified.path), f"classified into {area} by "
                                     f"evidence: {', '.join(evidence)}")

    def matching_areas(
        self, item: Classified, touched: set[str]
    ) -> list[tuple[str, tuple[str, ...]]]:
        """The classified areas that the change touched (all of them with the VR set)."""
        return [(area, ev) for area, ev in item.areas.items()
                if self.picks.vr_set_used or area in touched]


def select(
    changes: ChangeSet,
    *,
    catalog: Catalog | None = None,
    env: Capabilities | Environment | None = None,
    rules: RuleSet | None = None,
) -> Selection:
    """The suites and VR checks ``changes`` needs, each with its reasons.

    ``env`` is a :class:`Capabilities` or a loaded ``vrtest.environment.Environment``.
    """
    if isinstance(env, Environment):
        env = from_environment(env)
    selector = Selector(rules or load_rules(), catalog or snapshot_catalog())
    for path in changes.paths:
        selector.add_path(path)
    if not changes.paths and changes.source.get("kind") != "all":
        # Not "no VR impact": no change at all usually means a broken CI step (empty diff file,
        # wrong range); say so, so a green run is never mistaken for a verified one.
        selector.picks.warnings.append(
            "no changed files were given: nothing to select (is the change source right? an "
            "empty --files-from file, a --diff range with no commits, a PR with no files)")
    if changes.source.get("kind") == "all":
        selector.add_vr_set("all: the whole VR set was asked for")
    if changes.source.get("truncated"):
        selector.picks.fallback = True
        selector.add_vr_set("fallback: the changed-file list is truncated "
                            "(GitHub lists at most 3,000 files)")
    selector.add_classified()
    return build_selection(changes, selector, env)


def build_selection(changes: ChangeSet, selector: Selector, env: Capabilities | None) -> Selection:
    """Resolve suites against the catalog, filter by environment, freeze."""
    picks = selector.picks
    resolved, warnings, missing = resolve_suites(picks.suites, picks.narrowed, selector.catalog)
    picked = tuple(CheckPick(name, tuple(reasons)) for name, reasons in picks.checks.items())
    suites, checks, not_verified = apply_environment(resolved, picked, selector.catalog, env)
    return Selection(
        changed=changes.paths,
        areas=tuple(AreaHit(name, tuple(files)) for name, files in picks.areas.items()),
        suites=suites,
        checks=tuple(sorted(checks, key=lambda c: c.name)),
        unmatched=tuple(picks.unmatched),
        fallback=picks.fallback,
        source=dict(changes.source),
        catalog=selector.catalog.describe(),
        not_verified=tuple(missing) + not_verified,
        warnings=tuple(picks.warnings) + tuple(warnings),
        decisions=tuple(picks.decisions),
        notes=changes.notes,
    )
