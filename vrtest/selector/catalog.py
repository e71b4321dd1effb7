"""The Marvin suite catalog: records, YAML load/save, and where the snapshot lives.

The catalog answers "which suites exist, which tests they hold, with which nose
``@attr`` tags/required_hardware, and which Marvin classes/API commands they use".
It comes from ``vrtest catalog --cloudstack PATH`` (see :mod:`scan`), either live
or as the snapshot ``suites/catalog-main.yaml`` shipped with vrtest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from vrtest.bundled import shipped_dir
from vrtest.errors import ConfigError

SNAPSHOT_NAME = "catalog-main.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class TestInfo:
    """One test method with its nose attributes (class attributes merged in)."""

    __test__ = False  # not a pytest class

    name: str
    cls: str
    tags: tuple[str, ...] = ()
    required_hardware: str | None = None  # "true" | "false" | None when absent

    @property
    def id(self) -> str:
        """``Class.method``, the form nose accepts after ``file.py:``."""
        return f"{self.cls}.{self.name}"


@dataclass(frozen=True)
class SuiteInfo:
    """One suite file and what it uses from Marvin."""

    path: str  # relative to test/integration, e.g. smoke/test_routers.py
    tests: tuple[TestInfo, ...] = ()
    lib_classes: tuple[str, ...] = ()
    api_commands: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        """The file name without its directory (suites move between component/ and smoke/)."""
        return self.path.rsplit("/", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        """YAML/JSON form grouped by class."""
        classes: dict[str, list[dict[str, Any]]] = {}
        for test in self.tests:
            entry: dict[str, Any] = {"name": test.name, "tags": list(test.tags)}
            if test.required_hardware is not None:
                entry["required_hardware"] = test.required_hardware
            classes.setdefault(test.cls, []).append(entry)
        return {"path": self.path,
                "classes": [{"class": name, "tests": tests} for name, tests in classes.items()],
                "marvin_lib": list(self.lib_classes), "api_commands": list(self.api_commands),
                "helpers": list(self.helpers), "imports": list(self.imports)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuiteInfo:
        """Inverse of :meth:`to_dict`."""
        tests = tuple(
            TestInfo(t["name"], c["class"], tuple(t.get("tags") or ()),
                     _hardware(t.get("required_hardware")))
            for c in data.get("classes") or () for t in c.get("tests") or ()
        )
        lists = (tuple(data.get(key) or ())
                 for key in ("marvin_lib", "api_commands", "helpers", "imports"))
        return cls(str(data["path"]), tests, *lists)


def _hardware(value: Any) -> str | None:
    return None if value is None else str(value).lower()


@dataclass(frozen=True)
class Catalog:
    """All suites of one CloudStack tree, and a label saying which tree."""

    label: str
    suites: tuple[SuiteInfo, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def by_path(self) -> dict[str, SuiteInfo]:
        """Suites keyed by their path under test/integration."""
        return {suite.path: suite for suite in self.suites}

    @cached_property
    def by_filename(self) -> dict[str, list[SuiteInfo]]:
        """Suites keyed by file name, to find a suite that moved directories."""
        index: dict[str, list[SuiteInfo]] = {}
        for suite in self.suites:
            index.setdefault(suite.filename, []).append(suite)
        return index

    def to_dict(self) -> dict[str, Any]:
        """YAML form (``vrtest catalog`` output)."""
        return {"schema_version": 1, **self.meta, "suites": [s.to_dict() for s in self.suites]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], label: str) -> Catalog:
        """Inverse of :meth:`to_dict`."""
        meta = {k: v for k, v in data.items() if k not in ("suites", "schema_version")}
        suites = tuple(SuiteInfo.from_dict(s) for s in data.get("suites") or ())
        return cls(label, suites, meta)

    def describe(self) -> dict[str, Any]:
        """The ``catalog`` block of a selection: which catalog, from which tree."""
        return {"label": self.label, "suites": len(self.suites),
                **{k: self.meta[k] for k in ("commit", "date", "source") if k in self.meta}}


def suites_dir() -> Path:
    """vrtest's ``suites/`` directory (``VRTEST_SUITES_DIR`` overrides)."""
    override = os.environ.get("VRTEST_SUITES_DIR")
    if override:
        return Path(override)
    return shipped_dir("suites")


def load_catalog(path: Path, label: str | None = None) -> Catalog:
    """Read a catalog YAML written by ``vrtest catalog``."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise ConfigError(f"cannot read catalog: {exc.strerror or exc}", path=str(path)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("suites"), list):
        raise ConfigError("not a vrtest catalog (no 'suites' list)", path=str(path),
                          hint="regenerate it with vrtest catalog --cloudstack PATH -o FILE")
    return Catalog.from_dict(data, label or f"catalog {path}")


def snapshot_catalog() -> Catalog:
    """The snapshot shipped in ``suites/catalog-main.yaml`` (read once per process)."""
    return _snapshot(suites_dir() / SNAPSHOT_NAME)


@lru_cache(maxsize=4)
def _snapshot(path: Path) -> Catalog:
    catalog = load_catalog(path)
    where = ", ".join(str(catalog.meta[k]) for k in ("source", "commit", "date")
                      if k in catalog.meta)
    label = f"snapshot {path.name} ({where})" if where else f"snapshot {path.name}"
    return Catalog(label, catalog.suites, catalog.meta)

