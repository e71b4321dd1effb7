"""Secret references in descriptors: ``${VAR}``, ``${VAR:-default}`` and ``${file:PATH}``.

Every value a reference resolves to is a secret: it is registered with
:mod:`vrtest.masking` before anything else sees it, so no output, log line or
error message can carry it. ``$${`` writes a literal ``${``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vrtest.environment.yamlnodes import LocatedData, format_path
from vrtest.environment.yamlnodes import Path as KeyPath
from vrtest.errors import ConfigError
from vrtest.masking import register_secret

REFERENCE = re.compile(r"\$(\$?)\{([^}]*)\}")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class MissingSecret:
    """A reference whose variable is not set (or whose file does not exist)."""

    variable: str
    path: KeyPath
    line: int | None
    source: str

    def error(self) -> ConfigError:
        """The one-line error naming the variable, the descriptor and the key."""
        if self.variable.startswith("file:"):
            message = f"secret file {self.variable[5:]!r} does not exist"
            hint = "create it or change the ${file:...} reference"
        else:
            message = f"environment variable {self.variable} is not set"
            hint = f"export {self.variable}=... before running vrtest"
        return ConfigError(
            message, path=self.source, line=self.line, key=format_path(self.path), hint=hint
        )


@dataclass
class Resolution:
    """The descriptor data with references replaced, and what could not be resolved."""

    data: Any
    missing: list[MissingSecret]
    references: int = 0


def is_reference(value: object) -> bool:
    """True for a string that still holds an unresolved ``${...}`` reference."""
    return isinstance(value, str) and any(m.group(1) == "" for m in REFERENCE.finditer(value))


def resolve_references(
    located: LocatedData, source: str, *, environ: Mapping[str, str] | None = None
) -> Resolution:
    """Replace every reference; unresolvable ones stay as written and are listed as missing."""
    env = os.environ if environ is None else environ
    resolver = _Resolver(located, source, Path(source).resolve().parent, env)
    data = resolver.walk(located.data, ())
    return Resolution(data, resolver.missing, resolver.count)


class _Resolver:
    """Walks descriptor data resolving references in strings."""

    def __init__(
        self, located: LocatedData, source: str, base: Path, environ: Mapping[str, str]
    ) -> None:
        self.located = located
        self.source = source
        self.base = base
        self.environ = environ
        self.missing: list[MissingSecret] = []
        self.count = 0

    def walk(self, value: Any, path: KeyPath) -> Any:
        """Resolve references anywhere inside ``value``."""
        if isinstance(value, dict):
            return {key: self.walk(item, (*path, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.walk(item, (*path, i)) for i, item in enumerate(value)]
        if isinstance(value, str) and "${" in value:
            return REFERENCE.sub(lambda match: self._substitute(match, path), value)
        return value

    def _substitute(self, match: re.Match[str], path: KeyPath) -> str:
        if match.group(1):  # $${...} is a literal ${...}
            return match.group(0)[1:]
        body = match.group(2)
        self.count += 1
        value = self._lookup(body, path)
        if value is None:
            return match.group(0)
        register_secret(value)
        return value

    def _lookup(self, body: str, path: KeyPath) -> str | None:
        if body.startswith("file:"):
            return self._read_file(body[5:], path)
        name, has_default, default = body.partition(":-")
        if not _VARIABLE.match(name):
            raise ConfigError(
                f"bad reference ${{{body}}}: expected ${{VAR}}, ${{VAR:-default}} or "
                "${file:PATH}",
                path=self.source,
                line=self.located.line_of(path),
                key=format_path(path),
            )
        if name in self.environ:
            return self.environ[name]
        if has_default:
            return default
        self._record_missing(name, path)
        return None

    def _read_file(self, raw: str, path: KeyPath) -> str | None:
        file = Path(raw).expanduser()
        if not file.is_absolute():
            file = self.base / file
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except FileNotFoundError:
            self._record_missing(f"file:{raw}", path)
            return None
        except OSError as exc:
            raise ConfigError(
                f"cannot read secret file {raw!r}: {exc.strerror}",
                path=self.source,
                line=self.located.line_of(path),
                key=format_path(path),
            ) from None

    def _record_missing(self, variable: str, path: KeyPath) -> None:
        line = self.located.line_of(path)
        self.missing.append(MissingSecret(variable, path, line, self.source))
