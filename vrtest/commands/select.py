"""``vrtest select``: which Marvin suites and VR checks a change needs, and why."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from vrtest.console import Console
from vrtest.errors import UsageError
from vrtest.outputs import write_output
from vrtest.selector import changes as change_sources
from vrtest.selector import gitdiff, github, jenkins
from vrtest.selector.catalog import Catalog, load_catalog, snapshot_catalog
from vrtest.selector.changes import ChangeSet
from vrtest.selector.engine import select
from vrtest.selector.envfilter import load_capabilities
from vrtest.selector.render import render_markdown, render_text
from vrtest.selector.scan import scan_checkout
from vrtest.selector.selection import Selection

NAME = "select"
HELP = "pick the Marvin suites and VR checks a change needs, and explain why"
DESCRIPTION = """\
Map a change's files to VR areas, Marvin suites and vrtest VR checks using the rules in
suites/map.yaml and a Marvin catalog. Every decision is explained; a changed file under a
VR tree that no rule knows selects the whole VR set with a warning. With no source option,
Jenkins pull-request variables (ghprb or multibranch) are used."""
EPILOG = """\
examples:
  vrtest select --files systemvm/debian/opt/cloud/bin/cs/CsRedundant.py
  git diff --name-only main... | vrtest select --files-from -
  vrtest select --diff main...HEAD --repo ~/cloudstack --format markdown
  vrtest select --pr 887                          GitHub API (GITHUB_TOKEN for a higher limit)
  vrtest select --pr 887 --repo ~/cloudstack --target-branch main
  vrtest select --files a.py --env simulator --format json -o selection.json
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Add ``select``'s arguments."""
    source = parser.add_argument_group("change source (one of)")
    source.add_argument("--files", nargs="+", metavar="PATH", help="changed paths")
    source.add_argument("--files-from", metavar="FILE",
                        help="file with one path per line (- = stdin)")
    source.add_argument("--diff", metavar="BASE...HEAD", help="git range, merge-base semantics")
    source.add_argument("--pr", metavar="N", help="GitHub pull request number")
    git = parser.add_argument_group("git and GitHub")
    git.add_argument("--repo", type=Path, metavar="PATH", help="CloudStack git checkout")
    git.add_argument("--target-branch", help="PR target branch for --pr --repo (main)")
    git.add_argument("--remote", default="origin", help="remote to fetch pull/N/head from")
    git.add_argument("--github-api", metavar="URL",
                     help="API base URL (GitHub Enterprise: https://HOST/api/v3); "
                     "default $GITHUB_API_URL or https://api.github.com")
    git.add_argument("--github-repo", metavar="OWNER/NAME",
                     help="repository for --pr (apache/cloudstack)")
    add_output_arguments(parser)
    parser.set_defaults(handler=handle)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """Environment, catalog and output options."""
    parser.add_argument("--env", metavar="NAME", help="filter by this environment's capabilities")
    parser.add_argument("--envs-dir", type=Path, metavar="DIR", help="where environments live")
    parser.add_argument("--cloudstack", type=Path, metavar="PATH",
                        help="CloudStack checkout whose test/integration catalog wins")
    parser.add_argument("--catalog", type=Path, metavar="FILE",
                        help="catalog YAML written by vrtest catalog -o")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")


def handle(args: argparse.Namespace, console: Console) -> int:
    """Build the change set, select, print or write the explanation."""
    changes = read_changes(args, console)
    catalog = choose_catalog(args, console)
    env = load_capabilities(args.env, args.envs_dir) if args.env else None
    selection = select(changes, catalog=catalog, env=env)
    for warning in selection.warnings:
        console.warn(warning)
    emit(selection, args, console)
    return 0


def read_changes(args: argparse.Namespace, console: Console) -> ChangeSet:
    """The one change source given (or Jenkins variables when none is)."""
    given = [name for name in ("files", "files_from", "diff", "pr") if getattr(args, name)]
    if len(given) > 1:
        flags = " and ".join("--" + name.replace("_", "-") for name in given)
        raise UsageError(f"give one change source, not {flags}")
    if args.files:
        return change_sources.from_files(args.files)
    if args.files_from:
        return change_sources.from_files_list(args.files_from)
    if args.diff:
        if not args.repo:
            raise UsageError("--diff needs --repo PATH", hint="the CloudStack checkout to diff")
        return gitdiff.from_diff(args.repo, args.diff)
    if args.pr:
        return from_pr(github.check_pr_number(args.pr), args, console)
    return from_jenkins(args, console)


def from_pr(pr: int, args: argparse.Namespace, console: Console) -> ChangeSet:
    """``--pr N``: from a local checkout when ``--repo`` is given, else the GitHub API."""
    if args.repo:
        with console.status(f"fetching pull/{pr}/head into {args.repo}"):
            return gitdiff.from_pr_checkout(args.repo, pr, args.target_branch or "main",
                                            args.remote)
    api = github.GitHubApi.from_env(os.environ, args.github_api, args.github_repo)
    with console.status(f"listing files of {api.repo}#{pr} from {api.base_url}"):
        return github.from_pull_request(api, pr)


def from_jenkins(args: argparse.Namespace, console: Console) -> ChangeSet:
    """Use Jenkins PR variables; a clear error when there are none."""
    found = jenkins.detect(os.environ)
    if found is None:
        raise UsageError("no change given", hint="use --files, --files-from, --diff or "
                         "--pr (or run in a Jenkins pull-request job)")
    console.info(f"Jenkins {found.flavour} job building PR #{found.pr}")
    if args.repo:
        base = f"{args.remote}/{found.target or 'main'}"
        return gitdiff.diff_changes(gitdiff.check_repo(args.repo), base, found.commit or "HEAD",
                                    found.source())
    api = github.GitHubApi.from_env(os.environ, args.github_api, args.github_repo or found.repo)
    with console.status(f"listing files of {api.repo}#{found.pr} from {api.base_url}"):
        listed = github.from_pull_request(api, found.pr)
    return ChangeSet(listed.paths, {**listed.source, **found.source(),
                                    "truncated": listed.source.get("truncated", False)},
                     listed.notes)


def choose_catalog(args: argparse.Namespace, console: Console) -> Catalog:
    """``--cloudstack`` checkout, else ``--catalog`` file, else the shipped snapshot."""
    if args.cloudstack:
        with console.status(f"scanning {args.cloudstack} for Marvin suites"):
            return scan_checkout(args.cloudstack)
    if args.catalog:
        return load_catalog(args.catalog)
    return snapshot_catalog()


def emit(selection: Selection, args: argparse.Namespace, console: Console) -> None:
    """Print in the chosen format, or write it to ``-o FILE``."""
    if args.format == "json":
        text = json.dumps(selection.to_dict(), indent=2)
    elif args.format == "markdown":
        text = render_markdown(selection)
    else:
        text = render_text(selection)
    if args.output:
        write_output(args.output, text + "\n", "-o")
        console.info(f"wrote {args.format} selection to {args.output}")
    else:
        console.print(text)
