"""Validate descriptor data against the JSON Schema; every error points at file:line and key."""

from __future__ import annotations

import difflib
import functools
import ipaddress
from collections.abc import Iterator
from typing import Any

import jsonschema

from vrtest.environment.schema import build_schema
from vrtest.environment.secrets import is_reference
from vrtest.environment.yamlnodes import LocatedData, format_path
from vrtest.errors import ConfigError


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = build_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=_format_checker())


def _format_checker() -> Any:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("ipv4")(_ipv4)
    checker.checks("ipv4-network")(_network)
    checker.checks("uri")(_uri)
    return checker


def _parses(value: object, parse: Any) -> bool:
    """True when ``value`` parses, or is not a string, or is still a ``${...}`` reference."""
    if not isinstance(value, str) or is_reference(value):
        return True
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _ipv4(value: object) -> bool:
    """An IPv4 address."""
    return _parses(value, ipaddress.IPv4Address)


def _network(value: object) -> bool:
    """An IPv4 network with its host bits zero."""
    return _parses(value, lambda text: ipaddress.IPv4Network(text, strict=True))


def _uri(value: object) -> bool:
    """An http(s) URL."""
    if not isinstance(value, str) or is_reference(value):
        return True
    return value.startswith(("http://", "https://")) and len(value) > len("https://")


def schema_errors(located: LocatedData, source: str) -> list[ConfigError]:
    """Every schema violation, in file order, as one-line errors."""
    errors: list[tuple[int, str, ConfigError]] = []
    for error in _validator().iter_errors(located.data):
        for config_error in _convert(error, located, source):
            errors.append((config_error.line or 0, config_error.message, config_error))
    errors.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in errors]


def _convert(error: Any, located: LocatedData, source: str) -> Iterator[ConfigError]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        yield from _unknown_keys(error, path, located, source)
        return
    if error.validator == "oneOf" and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        yield from _convert(best, located, source)
        return
    message, key_path = _message(error, path)
    yield ConfigError(
        message, path=source, line=located.line_of(key_path), key=format_path(key_path) or None
    )


def _message(error: Any, path: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """A readable message for one schema error and the key path it belongs to."""
    value = error.instance
    kind = error.validator
    if kind == "format":
        noun = {
            "ipv4": "an IPv4 address",
            "ipv4-network": "an IPv4 network (a.b.c.d/len, host bits zero)",
            "uri": "an http:// or https:// URL",
        }.get(error.validator_value, error.validator_value)
        return f"{value!r} is not {noun}", path
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return "is required", (*path, missing)
    if kind == "enum":
        allowed = [str(v) for v in error.validator_value]
        close = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{value!r} is not one of {', '.join(allowed)}{hint}", path
    if kind == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(str(name), str(name)) for name in names)
        return f"expected {wanted}, got {_describe(value)}", path
    return error.message, path


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "nothing",
    "number": "a number",
}


def _describe(value: object) -> str:
    kind = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
    if isinstance(value, dict | list):
        return kind
    return f"{kind} {value!r}"


def _unknown_keys(
    error: Any, path: tuple[Any, ...], located: LocatedData, source: str
) -> Iterator[ConfigError]:
    known = sorted(error.schema.get("properties", {}))
    for key in error.instance:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        key_path = (*path, key)
        yield ConfigError(
            f"unknown key {key!r}; {hint}",
            path=source,
            line=located.line_of(key_path),
            key=format_path(key_path),
        )
