"""``vrtest catalog``: list the Marvin suites of a CloudStack checkout (scanned with ast)."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import yaml

from vrtest.console import Console, format_table
from vrtest.outputs import write_output
from vrtest.selector.catalog import Catalog, snapshot_catalog
from vrtest.selector.scan import scan_checkout

NAME = "catalog"
HELP = "list Marvin suites, tests and @attr tags of a CloudStack checkout (never imported)"
DESCRIPTION = """\
Scan test/integration of a CloudStack checkout with Python's ast module: suite files,
classes, test methods, nose @attr tags and required_hardware, and the Marvin library
classes, helpers and API commands each suite uses. Without --cloudstack, show the
snapshot shipped in suites/catalog-main.yaml."""
EPILOG = """\
examples:
  vrtest catalog --cloudstack ~/cloudstack                      summary table
  vrtest catalog --cloudstack ~/cloudstack --format yaml -o suites/catalog-main.yaml
  vrtest catalog --format json                                  the shipped snapshot
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``catalog``'s arguments."""
    parser.add_argument("--cloudstack", type=Path, metavar="PATH", help="CloudStack checkout")
    parser.add_argument("--format", choices=("text", "yaml", "json"), default="text")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")
    parser.add_argument("--source", help="record where the checkout came from")
    parser.add_argument("--commit", help="record its commit (default: git rev-parse HEAD)")
    parser.add_argument("--date", help="record the commit date")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, console: Console) -> int:
    """Scan (or load the snapshot) and print or write it."""
    if args.cloudstack:
        with console.status(f"scanning {args.cloudstack}/test/integration"):
            catalog = scan_checkout(args.cloudstack)
        catalog = with_metadata(catalog, args)
    else:
        catalog = snapshot_catalog()
    text = render(catalog, args.format)
    if args.output:
        write_output(args.output, text + "\n", "-o")
        console.info(f"wrote {len(catalog.suites)} suites to {args.output}")
    else:
        console.print(text)
    return 0


def with_metadata(catalog: Catalog, args: argparse.Namespace) -> Catalog:
    """Record source/commit/date (the commit from git when the checkout is a repository)."""
    meta = dict(catalog.meta)
    commit = args.commit or git_head(args.cloudstack)
    for key, value in (("source", args.source), ("commit", commit), ("date", args.date)):
        if value:
            meta[key] = value
    return Catalog(catalog.label, catalog.suites, meta)


def git_head(checkout: Path) -> str | None:
    """The checkout's HEAD commit, or None when it is not a git repository."""
    proc = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def render(catalog: Catalog, fmt: str) -> str:
    """YAML, JSON or a text table (path, tests, required_hardware true/false/absent)."""
    if fmt == "yaml":
        return yaml.safe_dump(catalog.to_dict(), sort_keys=False, width=100,
                              default_flow_style=None).rstrip()
    if fmt == "json":
        return json.dumps(catalog.to_dict(), indent=2)
    rows = []
    for suite in catalog.suites:
        hardware = [t.required_hardware for t in suite.tests]
        rows.append([suite.path, str(len(suite.tests)), str(hardware.count("true")),
                     str(hardware.count("false")), str(hardware.count(None))])
    table = format_table(["suite", "tests", "rh=true", "rh=false", "rh absent"], rows)
    return f"catalog: {catalog.label}\n{table}\n{len(catalog.suites)} suites"
