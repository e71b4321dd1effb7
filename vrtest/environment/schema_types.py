"""Small builders for the descriptor JSON Schema (closed objects, typed properties)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def obj(properties: dict[str, Schema], *required: str, doc: str = "") -> Schema:
    """A closed object: unknown keys are errors."""
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    if doc:
        schema["description"] = doc
    return schema


def string(doc: str = "", **extra: Any) -> Schema:
    """A string property."""
    return {"type": "string", **({"description": doc} if doc else {}), **extra}


def integer(doc: str = "", minimum: int = 0, **extra: Any) -> Schema:
    """An integer property."""
    return {"type": "integer", "minimum": minimum, **({"description": doc} if doc else {}), **extra}


def array(items: Schema, doc: str = "", **extra: Any) -> Schema:
    """An array property."""
    return {"type": "array", "items": items, **({"description": doc} if doc else {}), **extra}


def enum(values: tuple[str, ...], doc: str = "", **extra: Any) -> Schema:
    """One of ``values``."""
    described = {"description": doc} if doc else {}
    return {"type": "string", "enum": list(values), **described, **extra}


IPV4 = string(format="ipv4")
CIDR = string(format="ipv4-network")
BOOL: Schema = {"type": "boolean"}
