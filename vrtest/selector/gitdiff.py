"""Changes from a local git checkout: ``--diff BASE...HEAD`` and ``--pr N --repo PATH``.

Git runs as a subprocess with an argv list (never a shell); names come from
``git diff --name-status -M -z`` so any byte in a file name is safe.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from vrtest.errors import UnreachableError, UsageError
from vrtest.selector.changes import ChangeSet

GIT_TIMEOUT = 300


def run_git(repo: Path, *args: str) -> str:
    """Run ``git -C repo ARGS`` and return stdout; a failure becomes a one-line error."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True, text=True, check=False, timeout=GIT_TIMEOUT,
            encoding="utf-8", errors="surrogateescape",
        )
    except FileNotFoundError as exc:
        raise UsageError("git is not installed", hint="install git") from exc
    except subprocess.TimeoutExpired as exc:
        raise UnreachableError(f"git {args[0]} in {repo} took over {GIT_TIMEOUT}s") from exc
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise UsageError(f"git {args[0]} in {repo}: {detail}")
    return proc.stdout


def check_repo(repo: Path) -> Path:
    """The checkout's top directory; a clear error when ``repo`` is not a git work tree."""
    if not repo.is_dir():
        raise UsageError(f"--repo {repo} is not a directory", hint="give a CloudStack git checkout")
    try:
        top = run_git(repo, "rev-parse", "--show-toplevel").strip()
    except UsageError as exc:
        raise UsageError(
            f"--repo {repo} is not a git repository", hint="give a CloudStack git checkout"
        ) from exc
    return Path(top)


def resolve_commit(repo: Path, ref: str) -> str:
    """The commit id ``ref`` names; a bad ref is a one-line usage error."""
    if ref.startswith("-"):
        raise UsageError(f"bad git ref {ref!r}", hint="refs cannot start with '-'")
    try:
        return run_git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except UsageError as exc:
        raise UsageError(
            f"unknown git ref {ref!r} in {repo}", hint="fetch it first or check the spelling"
        ) from exc


def parse_name_status(output: str) -> list[tuple[str, list[str]]]:
    """Parse ``git diff --name-status -M -z``: (status letter, paths) per change."""
    tokens = output.split("\0")
    changes: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(tokens) and tokens[index]:
        status = tokens[index]
        width = 2 if status[0] in "RC" else 1
        paths = tokens[index + 1 : index + 1 + width]
        changes.append((status[0], paths))
        index += 1 + width
    return changes


def split_range(spec: str) -> tuple[str, str]:
    """``BASE...HEAD`` (or ``BASE..HEAD``, or ``BASE`` meaning ``BASE...HEAD``) to a pair."""
    match = re.fullmatch(r"(.+?)\.{2,3}(.*)", spec)
    base, head = (match.group(1), match.group(2) or "HEAD") if match else (spec, "HEAD")
    if not base.strip():
        raise UsageError(f"bad --diff range {spec!r}", hint="use BASE...HEAD, e.g. main...HEAD")
    return base, head


def diff_changes(repo: Path, base: str, head: str, source: dict[str, object]) -> ChangeSet:
    """Paths changed on ``head`` since its merge-base with ``base`` (renames: both names)."""
    base_id, head_id = resolve_commit(repo, base), resolve_commit(repo, head)
    try:
        merge_base = run_git(repo, "merge-base", base_id, head_id).strip()
    except UsageError as exc:
        raise UsageError(
            f"{base} and {head} have no common ancestor in {repo}",
            hint="fetch the full history (git fetch --unshallow)",
        ) from exc
    output = run_git(repo, "diff", "--name-status", "-M", "-z", "--no-color",
                     merge_base, head_id, "--")
    paths = [path for _status, names in parse_name_status(output) for path in names]
    info = {"base": base, "head": head, **source, "merge_base": merge_base, "commit": head_id}
    return ChangeSet.build(paths, info)


def from_diff(repo: Path, spec: str) -> ChangeSet:
    """``--diff BASE...HEAD --repo PATH`` with merge-base semantics (as GitHub shows a PR)."""
    top = check_repo(repo)
    base, head = split_range(spec)
    return diff_changes(top, base, head, {"kind": "diff", "repo": str(top)})


def from_pr_checkout(repo: Path, pr: int, target: str, remote: str = "origin") -> ChangeSet:
    """``--pr N --repo PATH``: fetch ``pull/N/head`` and the target branch, diff them."""
    top = check_repo(repo)
    pr_ref, target_ref = f"refs/vrtest/pr-{pr}", f"refs/vrtest/target-{pr}"
    try:
        run_git(top, "fetch", "--quiet", "--no-tags", remote,
                f"+refs/pull/{pr}/head:{pr_ref}", f"+refs/heads/{target}:{target_ref}")
    except UsageError as exc:
        raise UsageError(
            f"cannot fetch PR #{pr} or branch {target!r} from remote {remote!r} ({exc.message})",
            hint="check the PR number, --target-branch and the remote",
        ) from exc
    source = {"kind": "pr", "pr": pr, "repo": str(top), "base": target, "head": f"pull/{pr}/head"}
    return diff_changes(top, target_ref, pr_ref, source)
