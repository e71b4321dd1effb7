"""Find descriptors by name or path, read them with line marks, resolve secrets, validate."""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrtest.bundled import shipped_dir
from vrtest.environment.build import build_environment
from vrtest.environment.model import Environment
from vrtest.environment.secrets import MissingSecret, resolve_references
from vrtest.environment.semantics import semantic_errors
from vrtest.environment.validate import schema_errors
from vrtest.environment.yamlnodes import load_located
from vrtest.errors import ConfigError, UsageError

log = logging.getLogger(__name__)
ENV_PATH_VARIABLE = "VRTEST_ENV_PATH"
SUFFIXES = (".yaml", ".yml")


@dataclass
class Inspection:
    """Everything learned from reading one descriptor, valid or not."""

    path: Path
    source: str
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[ConfigError] = field(default_factory=list)
    missing: list[MissingSecret] = field(default_factory=list)
    environment: Environment | None = None

    @property
    def valid(self) -> bool:
        """True when the descriptor has no errors (unset secrets aside)."""
        return not self.errors


def search_dirs(
    envs_dir: Path | None = None, environ: Mapping[str, str] | None = None
) -> list[Path]:
    """Where names are looked up, in order: --envs-dir, VRTEST_ENV_PATH, ./environments,
    then the descriptors vrtest ships (so ``--env local`` works outside a checkout)."""
    env = os.environ if environ is None else environ
    dirs = [envs_dir] if envs_dir else []
    dirs += [Path(p) for p in env.get(ENV_PATH_VARIABLE, "").split(os.pathsep) if p]
    dirs.append(Path("environments"))
    shipped = shipped_dir("environments")
    if shipped.resolve() != Path("environments").resolve():
        dirs.append(shipped)
    return dirs


def discover(envs_dir: Path | None = None) -> dict[str, Path]:
    """Every descriptor reachable by name; the first directory that has a name wins."""
    found: dict[str, Path] = {}
    for directory in search_dirs(envs_dir):
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix in SUFFIXES and path.is_file():
                found.setdefault(path.stem, path)
    return found


def find_descriptor(ref: str, *, envs_dir: Path | None = None) -> Path:
    """The descriptor file for a name or a path; unknown names list the known ones."""
    candidate = Path(ref).expanduser()
    if candidate.suffix in SUFFIXES or os.sep in ref or (os.altsep and os.altsep in ref):
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            raise UsageError(
                f"environment file {ref} is a directory", hint="give a .yaml descriptor file"
            )
        raise UsageError(f"environment file {ref} does not exist")
    known = discover(envs_dir)
    if ref in known:
        return known[ref]
    close = difflib.get_close_matches(ref, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    names = ", ".join(sorted(known)) or "none"
    where = ", ".join(str(d) for d in search_dirs(envs_dir))
    raise UsageError(
        f"unknown environment {ref!r}; {hint}known: {names}",
        hint=f"searched {where}; pass --envs-dir or a path to a .yaml file",
    )


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def inspect_descriptor(path: Path, *, environ: Mapping[str, str] | None = None) -> Inspection:
    """Read, resolve and validate one descriptor, collecting every error instead of raising."""
    result = Inspection(path=path, source=display_path(path))
    try:
        text = path.read_text(encoding="utf-8")
        located = load_located(text, result.source)
    except OSError as exc:
        result.errors.append(ConfigError(f"cannot read: {exc.strerror}", path=result.source))
        return result
    except ConfigError as exc:
        result.errors.append(exc)
        return result
    if not isinstance(located.data, dict):
        top = ConfigError("expected a mapping at the top", path=result.source, line=1)
        result.errors.append(top)
        return result
    result.data = located.data
    result.errors.extend(schema_errors(located, result.source))
    try:
        resolution = resolve_references(located, result.source, environ=environ)
    except ConfigError as exc:
        result.errors.append(exc)
        return result
    result.missing = resolution.missing
    log.debug(
        "%s: %d secret references, %d unset", result.source, resolution.references,
        len(resolution.missing),
    )
    if result.errors:
        return result
    result.data = resolution.data
    result.errors.extend(semantic_errors(resolution.data, located, result.source))
    if not result.errors:
        result.environment = build_environment(resolution.data, path)
    return result


def load_environment(ref: str, *, envs_dir: Path | None = None) -> Environment:
    """The validated environment ``ref`` names, every secret resolved and registered."""
    inspection = inspect_descriptor(find_descriptor(ref, envs_dir=envs_dir))
    if inspection.errors:
        raise inspection.errors[0]
    if inspection.missing:
        raise inspection.missing[0].error()
    assert inspection.environment is not None
    return inspection.environment
