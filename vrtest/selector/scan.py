"""Scan a CloudStack checkout's ``test/integration`` with :mod:`ast` (never importing it).

Per suite file: test classes and methods with nose ``@attr(tags=..., required_hardware=...)``
in its real forms (list or tuple, a bare string, "true"/"false" or a bool, on the class
or the method), the ``marvin.lib.base`` classes it imports, the CloudStack API commands
it names (``marvin.cloudstackAPI`` imports, ``apiclient.listRouters(...)`` calls) and the
``marvin.lib.common``/``utils`` helpers it imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vrtest.errors import UsageError
from vrtest.selector.catalog import Catalog, SuiteInfo, TestInfo

INTEGRATION_DIR = "test/integration"
SKIPPED_DIRS = frozenset({"broken", "__pycache__"})
_API_NAME = re.compile(r"^[a-z]+[A-Z]\w*$")
_HELPER_MODULES = ("marvin.lib.common", "marvin.lib.utils", "marvin.lib.decoratorGenerators")


def scan_checkout(checkout: Path, label: str | None = None) -> Catalog:
    """The catalog of ``checkout`` (a CloudStack tree, or its test/integration directory)."""
    root = integration_root(checkout)
    suites = tuple(suite for path in iter_suite_files(root)
                   if (suite := scan_file(path, path.relative_to(root).as_posix())).tests)
    meta = {"source": f"checkout {checkout}", "generated_by": "vrtest catalog"}
    return Catalog(label or f"checkout {checkout}", suites, meta)


def integration_root(checkout: Path) -> Path:
    """``checkout/test/integration``, or ``checkout`` itself when it already is that."""
    for candidate in (checkout / INTEGRATION_DIR, checkout):
        if (candidate / "smoke").is_dir() or (candidate / "component").is_dir():
            return candidate
    raise UsageError(f"{checkout} has no {INTEGRATION_DIR}/smoke or component directory",
                     hint="give the top of a CloudStack source checkout")


def iter_suite_files(root: Path) -> Iterator[Path]:
    """Every ``test*.py`` under ``root`` except known non-suite directories, sorted."""
    for path in sorted(root.rglob("test*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(root).parts[:-1]):
            yield path


def scan_file(path: Path, relative: str) -> SuiteInfo:
    """One suite's tests and Marvin usage; an unparsable file yields no tests."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return SuiteInfo(relative)
    imports = collect_imports(tree)
    return SuiteInfo(
        path=relative,
        tests=tuple(collect_tests(tree)),
        lib_classes=tuple(sorted(imports.get("marvin.lib.base", set()))),
        api_commands=tuple(sorted(collect_api_commands(tree, imports))),
        helpers=tuple(sorted(set().union(*(imports.get(m, set()) for m in _HELPER_MODULES)))),
        imports=tuple(sorted(m for m in imports if m.startswith("marvin"))),
    )


def collect_imports(tree: ast.Module) -> dict[str, set[str]]:
    """Imported names per module (``import marvin.x`` records the module with no names)."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.setdefault(node.module, set()).update(
                alias.name for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.setdefault(alias.name, set())
    return found


def collect_api_commands(tree: ast.Module, imports: dict[str, set[str]]) -> set[str]:
    """API names from ``marvin.cloudstackAPI`` imports and ``<..api..>.name(...)`` calls."""
    commands = {name for name in imports.get("marvin.cloudstackAPI", set())
                if _API_NAME.match(name)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if _API_NAME.match(node.func.attr) and "api" in receiver_name(node.func.value).lower():
            commands.add(node.func.attr)
    return commands


def receiver_name(node: ast.expr) -> str:
    """The last name in ``a.b.apiclient``-like receivers (empty when not a name)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def collect_tests(tree: ast.Module) -> Iterator[TestInfo]:
    """Test methods of every class, with class-level ``@attr`` merged under method-level."""
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        class_attrs = decorator_attrs(node.decorator_list)
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    item.name.startswith("test"):
                attrs = {**class_attrs, **decorator_attrs(item.decorator_list)}
                yield TestInfo(item.name, node.name, as_tags(attrs.get("tags")),
                               as_hardware(attrs.get("required_hardware")))


def decorator_attrs(decorators: list[ast.expr]) -> dict[str, Any]:
    """Keyword values of every ``@attr(...)`` decorator (later ones win)."""
    attrs: dict[str, Any] = {}
    for decorator in decorators:
        if isinstance(decorator, ast.Call) and callee_name(decorator.func) == "attr":
            for keyword in decorator.keywords:
                if keyword.arg:
                    attrs[keyword.arg] = literal(keyword.value)
    return attrs


def callee_name(node: ast.expr) -> str:
    """``attr`` for ``attr``, ``attrib.attr`` and ``nose.plugins.attrib.attr``."""
    return receiver_name(node)


def literal(node: ast.expr) -> Any:
    """A literal's value, or None for anything computed."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def as_tags(value: Any) -> tuple[str, ...]:
    """Tags from a list, tuple or a single string (nose accepts all three)."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple | set):
        return tuple(str(item) for item in value)
    return ()


def as_hardware(value: Any) -> str | None:
    """``"true"``/``"false"`` from a string or a bool; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()
