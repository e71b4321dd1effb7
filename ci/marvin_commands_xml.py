"""Write the ``commands.xml`` Marvin's codegenerator.py reads, from a CloudStack git repository.

Marvin's ``marvin/cloudstackAPI`` package is generated, not committed: CloudStack's Maven build
writes ``tools/apidoc/target/commands.xml`` (a Java build) or ``codegenerator.py -e HOST`` asks a
running management server (``listApis``). Neither exists here, so this reads the ``@APICommand``
and ``@Parameter`` annotations of the Java sources at a revision instead: command names, the
async flag (a ``BaseAsync*`` ancestor) and request parameters, inherited ones included, names
resolved through ``ApiConstants``. Responses stay empty: Marvin builds response objects from
the JSON it receives. Used by ci/real-marvin.sh for the opt-in tests/test_marvin_real.py.

usage: python3 ci/marvin_commands_xml.py GIT_DIR REVISION OUT.xml
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

STRING_CONSTANT = re.compile(r'static\s+final\s+String\s+(\w+)\s*=\s*"([^"]*)"\s*;')
CLASS_DECLARATION = re.compile(r"\bclass\s+(\w+)(?:\s*<[^{]*?>)?\s+extends\s+(\w+)")
Parameter = tuple[str, bool, str]  # name, required, type


@dataclass
class JavaClass:
    """What one source file declares: its parent, parameters and API command names."""

    parent: str | None
    parameters: list[Parameter] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def annotation_bodies(text: str, marker: str) -> list[str]:
    """The text inside every ``marker(...)``, balanced parentheses, string literals honoured."""
    bodies = []
    start = text.find(marker)
    while start != -1:
        index, depth, in_string = start + len(marker), 1, False
        begin = index
        while index < len(text) and depth:
            char = text[index]
            if in_string:
                if char == "\\":
                    index += 1
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "()":
                depth += 1 if char == "(" else -1
            index += 1
        bodies.append(text[begin:index - 1])
        start = text.find(marker, index)
    return bodies


def attribute(body: str, key: str) -> str | None:
    """``key = "value"`` or ``key = Some.CONSTANT`` inside an annotation body."""
    match = re.search(rf'\b{key}\s*=\s*("(?:[^"\\]|\\.)*"|[\w.]+)', body)
    return match.group(1) if match else None


def resolve(value: str | None, constants: dict[str, str]) -> str | None:
    """A string literal's text, or a constant's value by its simple name."""
    if value is None:
        return None
    if value.startswith('"'):
        return value[1:-1]
    return constants.get(value.rsplit(".", 1)[-1])


def read_sources(git_dir: str, revision: str) -> dict[str, str]:
    """Every Java file at ``revision`` that declares commands, parameters or constants."""
    listed = subprocess.run(
        ["git", "--git-dir", git_dir, "grep", "-l", "-e", "@APICommand(", "-e", "@Parameter(",
         "-e", "static final String", revision, "--", "*.java"],
        check=True, capture_output=True, text=True).stdout.split()
    paths = [entry.split(":", 1)[1] for entry in listed]
    batch = "".join(f"{revision}:{path}\n" for path in paths).encode()
    out = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "--batch"], input=batch,
                         check=True, capture_output=True).stdout
    sources, position = {}, 0
    for path in paths:
        header_end = out.index(b"\n", position)
        size = int(out[position:header_end].split()[2])
        sources[path] = out[header_end + 1:header_end + 1 + size].decode("utf-8", "replace")
        position = header_end + 1 + size + 1
    return sources


def parse_class(path: str, text: str, constants: dict[str, str]) -> JavaClass:
    """The class a file declares (named after the file)."""
    name = path.rsplit("/", 1)[-1].removesuffix(".java")
    declaration = CLASS_DECLARATION.search(text)
    parent = declaration.group(2) if declaration and declaration.group(1) == name else None
    local = {**constants, **dict(STRING_CONSTANT.findall(text))}
    java = JavaClass(parent)
    for body in annotation_bodies(text, "@Parameter("):
        parameter = resolve(attribute(body, "name"), local)
        if parameter:
            kind = (attribute(body, "type") or "STRING").rsplit(".", 1)[-1].lower()
            java.parameters.append((parameter, attribute(body, "required") == "true", kind))
    for body in annotation_bodies(text, "@APICommand("):
        command = resolve(attribute(body, "name"), local)
        if command:
            java.commands.append(command)
    return java


def inherited(name: str, classes: dict[str, JavaClass]) -> tuple[dict[str, Parameter], bool]:
    """Parameters of ``name`` and its ancestors (nearest wins), and whether it is async."""
    parameters: dict[str, Parameter] = {}
    seen: list[str] = []
    current: str | None = name
    while current is not None and current in classes and current not in seen:
        seen.append(current)
        for parameter in classes[current].parameters:
            parameters.setdefault(parameter[0], parameter)
        current = classes[current].parent
    chain = [*seen, current or ""]
    return parameters, any(ancestor.startswith("BaseAsync") for ancestor in chain)


def command_xml(command: str, parameters: dict[str, Parameter], is_async: bool) -> str:
    """One ``<command>`` element as ApiXmlDocWriter shapes it (no response arguments)."""
    args = "".join(
        f"<arg><name>{escape(name)}</name><required>{str(required).lower()}</required>"
        f"<type>{kind}</type><dataType>{kind}</dataType></arg>\n"
        for name, required, kind in sorted(parameters.values()))
    return (f"<command><name>{escape(command)}</name><description>{escape(command)}"
            f"</description><isAsync>{str(is_async).lower()}</isAsync><request>\n{args}"
            "</request><response></response></command>\n")


def main(git_dir: str, revision: str, output: str) -> None:
    """Write ``output``; print how many commands it holds."""
    sources = read_sources(git_dir, revision)
    constants: dict[str, str] = {}
    for path, text in sources.items():
        if path.endswith("/ApiConstants.java"):
            constants.update(STRING_CONSTANT.findall(text))
    classes = {path.rsplit("/", 1)[-1].removesuffix(".java"): parse_class(path, text, constants)
               for path, text in sources.items()}
    written: set[str] = set()
    with open(output, "w", encoding="utf-8") as handle:
        handle.write("<commands>\n")
        for name in sorted(classes):
            parameters, is_async = inherited(name, classes)
            for command in classes[name].commands:
                if command not in written:
                    written.add(command)
                    handle.write(command_xml(command, parameters, is_async))
        handle.write("</commands>\n")
    print(f"{output}: {len(written)} API commands from {len(sources)} Java files")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(*sys.argv[1:4])
