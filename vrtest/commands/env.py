"""``vrtest env``: list, show and validate descriptors; render and import Marvin configs."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from vrtest.console import Console
from vrtest.environment.loader import (
    discover,
    find_descriptor,
    inspect_descriptor,
    load_environment,
)
from vrtest.environment.locks import environment_lock_name, lock_zone
from vrtest.environment.marvin_config import render_marvin_config, write_private
from vrtest.environment.marvin_import import import_marvin_config
from vrtest.environment.schema import build_schema
from vrtest.environment.summary import status_text, summary, table_row
from vrtest.errors import ExitCode, UsageError
from vrtest.outputs import write_output, writing_output

NAME = "env"
HELP = "list, show and validate environments; render or import Marvin configs"
DESCRIPTION = """\
Environment descriptors (environments/*.yaml) describe where tests run: the management
server, zones, hosts, how routers are reached, and Marvin settings. Names are looked up in
--envs-dir, then $VRTEST_ENV_PATH (a path list), then ./environments; a path also works.
Secrets are ${VAR}, ${VAR:-default} or ${file:PATH} references and are masked in all output
except the Marvin config, which Marvin needs them in."""
EPILOG = """\
examples:
  vrtest env list                              every environment, valid or its first error
  vrtest env list --format json
  vrtest env show lab-kvm --format json        resolved, secrets masked
  vrtest env validate                          all of them; exit 2 if any is invalid
  vrtest env validate environments/mine.yaml --require-secrets
  vrtest env marvin-config lab-kvm -o /tmp/lab-kvm.cfg
  vrtest env import-marvin setup/dev/advanced.cfg -o environments/dev.yaml
  vrtest env schema > environment.schema.json  for editors (yaml-language-server)
  vrtest env lock lab-kvm                      vrtest-zone-lab-kvm-kvm-zone1 (Jenkins lock())
"""


AddCommand = Callable[[str, str], argparse.ArgumentParser]


def register(parser: argparse.ArgumentParser) -> None:
    """Add the ``env`` sub-subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--envs-dir", type=Path, help="directory of descriptors, searched first")
    subs = parser.add_subparsers(dest="env_command", metavar="SUBCOMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return subs.add_parser(
            name, help=help_text, description=help_text, parents=[common], epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    _register_descriptor_commands(add)
    _register_marvin_commands(add)
    add("schema", "print the descriptors' JSON Schema").set_defaults(handler=print_schema)


def _register_descriptor_commands(add: AddCommand) -> None:
    listing = add("list", "every known environment: hypervisor, zones, VR access, validity")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=list_environments)
    show = add("show", "one environment, resolved, secrets masked")
    show.add_argument("name", metavar="NAME|PATH")
    show.add_argument("--format", choices=("yaml", "json"), default="yaml")
    show.set_defaults(handler=show_environment)
    validate = add("validate", "validate descriptors (all when none are named)")
    validate.add_argument("refs", nargs="*", metavar="NAME|PATH")
    validate.add_argument(
        "--require-secrets", action="store_true", help="unset secret variables are errors too"
    )
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(handler=validate_environments)
    lock = add("lock", "the Jenkins lock resource that serialises runs in this environment's zone")
    lock.add_argument("name", metavar="NAME|PATH")
    lock.add_argument("--format", choices=("text", "json"), default="text")
    lock.set_defaults(handler=print_lock_name)


def _register_marvin_commands(add: AddCommand) -> None:
    marvin = add("marvin-config", "render Marvin's JSON setup config (carries the secrets)")
    marvin.add_argument("name", metavar="NAME|PATH")
    marvin.add_argument("-o", "--output", type=Path, help="write here (mode 0600), not stdout")
    marvin.set_defaults(handler=marvin_config)
    importer = add("import-marvin", "turn a Marvin .cfg into a descriptor")
    importer.add_argument("config", type=Path, metavar="CFG")
    importer.add_argument("-o", "--output", type=Path, help="write the descriptor here")
    importer.add_argument("--name", help="environment name (default: the output file's stem)")
    importer.add_argument(
        "--inline-secrets", action="store_true", help="write secret values, not ${VAR} references"
    )
    importer.add_argument("--force", action="store_true", help="overwrite an existing -o file")
    importer.set_defaults(handler=import_marvin)


def list_environments(args: argparse.Namespace, console: Console) -> int:
    """``env list``."""
    known = discover(args.envs_dir)
    if not known:
        raise UsageError("no environment descriptors found", hint="pass --envs-dir or a path")
    items = []
    with console.status(f"reading {len(known)} descriptors"):
        for name, path in sorted(known.items()):
            inspection = inspect_descriptor(path)
            items.append((summary(inspection, name), status_text(inspection)))
    if args.format == "json":
        console.print_json([item for item, _ in items])
    else:
        headers = ["NAME", "HYPERVISOR", "ZONES", "VR ACCESS", "CAPABILITIES", "STATUS"]
        console.table(headers, [table_row(item, status) for item, status in items])
    return ExitCode.OK


def show_environment(args: argparse.Namespace, console: Console) -> int:
    """``env show``."""
    env = load_environment(args.name, envs_dir=args.envs_dir)
    data = _without_unset(env.to_dict())
    if args.format == "json":
        console.print_json(data)
    else:
        console.print(yaml.safe_dump(data, sort_keys=False, default_flow_style=False).rstrip())
    return ExitCode.OK


def _without_unset(data: Any) -> Any:
    """``data`` without keys whose value is None (defaults that do not apply)."""
    if isinstance(data, dict):
        return {k: _without_unset(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_unset(item) for item in data]
    return data


def validate_environments(args: argparse.Namespace, console: Console) -> int:
    """``env validate``: one line per descriptor, every error on its own line."""
    if args.refs:
        targets = [(ref, find_descriptor(ref, envs_dir=args.envs_dir)) for ref in args.refs]
    else:
        targets = sorted(discover(args.envs_dir).items())
    if not targets:
        raise UsageError("no environment descriptors found", hint="pass --envs-dir or a path")
    results, failed = [], 0
    for name, path in targets:
        inspection = inspect_descriptor(path)
        errors = [e.one_line() for e in inspection.errors]
        if args.require_secrets:
            errors += [m.error().one_line() for m in inspection.missing]
        failed += bool(errors)
        results.append({**summary(inspection, name), "errors": errors, "valid": not errors})
        for line in errors:
            console.error(line)
        if args.format == "text":
            console.print(f"{'invalid' if errors else 'ok':8} {inspection.source}")
    if args.format == "json":
        console.print_json(results)
    else:
        console.print(f"{len(targets) - failed} valid, {failed} invalid")
    return ExitCode.CONFIG if failed else ExitCode.OK


def marvin_config(args: argparse.Namespace, console: Console) -> int:
    """``env marvin-config``: the output must carry secrets, so it bypasses the masker."""
    env = load_environment(args.name, envs_dir=args.envs_dir)
    text = render_marvin_config(env)
    if args.output:
        with writing_output(args.output, "-o"):
            write_private(args.output, text)
        console.info(f"wrote Marvin config for {env.name} to {args.output} (mode 0600)")
    else:
        console.out_stream.write(text)
        console.out_stream.flush()
    return ExitCode.OK


def import_marvin(args: argparse.Namespace, console: Console) -> int:
    """``env import-marvin``."""
    if args.output and args.output.exists() and not args.force:
        raise UsageError(f"{args.output} already exists", hint="pass --force to overwrite it")
    name = args.name or (args.output.stem if args.output else args.config.stem)
    result = import_marvin_config(args.config, name=name, inline_secrets=args.inline_secrets)
    header = f"# Imported by `vrtest env import-marvin` from {args.config.name}.\n"
    text = header + yaml.safe_dump(result.descriptor, sort_keys=False, default_flow_style=False)
    if args.output:
        write_output(args.output, text, "-o")
        console.info(f"wrote descriptor {name} to {args.output}")
    else:
        console.out_stream.write(text)
        console.out_stream.flush()
    for where in result.ignored:
        console.warn(f"not carried over (vrtest does not model it): {where}")
    if result.variables:
        console.info("export these before using the descriptor (values are not written):")
        for variable, where in result.variables.items():
            console.info(f"  {variable}  (from {where})")
    return ExitCode.OK


def print_schema(args: argparse.Namespace, console: Console) -> int:
    """``env schema``."""
    console.print(json.dumps(build_schema(), indent=2))
    return ExitCode.OK


def print_lock_name(args: argparse.Namespace, console: Console) -> int:
    """Print the zone lock name (secrets need not be set: only names are read)."""
    inspection = inspect_descriptor(find_descriptor(args.name, envs_dir=args.envs_dir))
    if inspection.errors or inspection.environment is None:
        raise inspection.errors[0] if inspection.errors else UsageError(
            f"cannot read environment {args.name}")
    env = inspection.environment
    name = environment_lock_name(env)
    if args.format == "json":
        console.print_json({"env": env.name, "zone": lock_zone(env),
                            "lock": name})
    else:
        console.print(name)
    return int(ExitCode.OK)
