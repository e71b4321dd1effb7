"""Read YAML into plain data while remembering the line of every key and value.

``yaml.compose`` keeps each node's start mark; walking the node tree gives the
same data ``safe_load`` would, plus a map from key path to 1-based line so every
validation error can point at ``file:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from vrtest.errors import ConfigError

Path = tuple[str | int, ...]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class LocatedData:
    """Plain YAML data and the line of each path (value lines; key lines for mappings)."""

    data: Any
    lines: dict[Path, int]

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def format_path(path: Path) -> str:
    """``('zones', 0, 'pods', 0, 'gateway')`` -> ``zones[0].pods[0].gateway``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w.-]*)\s*:")


def key_near(text: str, line: int) -> str | None:
    """The dotted key path at or above ``line`` (by indentation), to name where YAML broke."""
    keys: list[str] = []
    indent_limit: int | None = None
    for raw in reversed(text.splitlines()[:line]):
        match = _KEY_LINE.match(raw)
        if not match:
            continue
        indent = len(match.group(1))
        if indent_limit is None or indent < indent_limit:
            keys.insert(0, match.group(2))
            indent_limit = indent
            if indent == 0:
                break
    return ".".join(keys) or None


def load_located(text: str, source: str) -> LocatedData:
    """Parse one YAML document; malformed YAML raises ``ConfigError`` at its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "malformed YAML"
        context = exc.context_mark or mark
        key = key_near(text, context.line + 1) if context else None
        raise ConfigError(f"malformed YAML: {problem}", path=source, line=line, key=key) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"malformed YAML: {exc}", path=source) from None
    if node is None:
        raise ConfigError("the descriptor is empty", path=source, line=1)
    builder = _Builder(source)
    data = builder.build(node, ())
    return LocatedData(data, builder.lines)


class _Builder:
    """Turns a composed node tree into plain data, recording lines."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Path, int] = {}
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path) -> Any:
        """Plain data for ``node`` at ``path``."""
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(self._constructor.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1
            if key in result:
                raise ConfigError(
                    f"duplicate key {key!r}",
                    path=self.source,
                    line=line,
                    key=format_path(path) or None,
                )
            self.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key))
        return result
