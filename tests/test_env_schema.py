"""The schema is the source of truth: model defaults, docs and examples agree with it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from vrtest.environment import inspect_descriptor, model
from vrtest.environment.schema import build_schema

SCHEMA = build_schema()
BLOCKS = {
    ("vr_access",): model.VrAccess,
    ("marvin",): model.MarvinSettings,
    ("database",): model.Database,
    ("management", "ssh"): model.SshLogin,
    ("lab",): model.LabSettings,
}


def block_schema(path: tuple[str, ...]) -> dict[str, Any]:
    schema = SCHEMA
    for key in path:
        schema = schema["properties"][key]
    return schema


@pytest.mark.parametrize("path", list(BLOCKS), ids=[".".join(p) for p in BLOCKS])
def test_schema_defaults_match_model_defaults(path: tuple[str, ...]) -> None:
    properties = block_schema(path)["properties"]
    fields = {f.name: f for f in dataclasses.fields(BLOCKS[path])}
    for key, prop in properties.items():
        assert key in fields, f"{key} is in the schema but not on {BLOCKS[path].__name__}"
        if "default" in prop:
            default = fields[key].default
            expected = list(default) if isinstance(default, tuple) else default
            assert prop["default"] == expected, key


def all_keys(schema: dict[str, Any]) -> set[str]:
    keys = set(schema.get("properties", {}))
    subs = list(schema.get("properties", {}).values())
    subs += [schema["items"]] if "items" in schema else []
    for sub in subs:
        if isinstance(sub, dict):
            keys |= all_keys(sub)
            for option in sub.get("oneOf", []):
                keys |= all_keys(option)
    return keys


def test_every_key_is_documented() -> None:
    docs = (REPO_ROOT / "docs" / "environments.md").read_text()
    missing = sorted(
        key for key in all_keys(SCHEMA) if not re.search(rf"`{re.escape(key)}(\[\])?`", docs)
    )
    assert missing == []


def yaml_blocks(path: Path, section: str) -> list[str]:
    text = path.read_text()
    if section:
        text = text[text.index(section):]
        text = text[: text.index("\n## ", 1)]
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


@pytest.mark.parametrize(
    ("doc", "section"),
    [("README.md", "## Environment descriptors"), ("docs/environments.md", "## Example")],
)
def test_documented_examples_are_valid(doc: str, section: str, tmp_path: Path, secrets) -> None:
    (block,) = yaml_blocks(REPO_ROOT / doc, section)
    (tmp_path / "example.yaml").write_text(block)
    inspection = inspect_descriptor(tmp_path / "example.yaml")
    assert [e.one_line() for e in inspection.errors] == []
