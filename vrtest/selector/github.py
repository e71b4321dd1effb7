"""Changes from the GitHub REST API: ``GET /repos/{owner}/{repo}/pulls/{n}/files``, paginated.

The token (``GITHUB_TOKEN``) is sent as an ``Authorization`` header, registered
with the masker and never printed. ``--github-api`` / ``GITHUB_API_URL`` point
at GitHub Enterprise (``https://HOST/api/v3``).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vrtest.errors import UnreachableError, UsageError
from vrtest.masking import register_secret
from vrtest.selector.changes import ChangeSet

DEFAULT_API = "https://api.github.com"
DEFAULT_REPO = "apache/cloudstack"
GITHUB_FILE_CAP = 3000
PAGE_SIZE = 100
TIMEOUT = 30
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


@dataclass(frozen=True)
class GitHubApi:
    """Where and how to ask: base URL, ``owner/name`` and an optional token."""

    base_url: str = DEFAULT_API
    repo: str = DEFAULT_REPO
    token: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str], base_url: str | None = None,
                 repo: str | None = None) -> GitHubApi:
        """Flag, then ``GITHUB_API_URL``, then github.com; token from ``GITHUB_TOKEN``."""
        url = base_url or environ.get("GITHUB_API_URL") or DEFAULT_API
        token = environ.get("GITHUB_TOKEN") or None
        if token:
            register_secret(token)
        slug = repo or DEFAULT_REPO
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", slug):
            raise UsageError(f"bad --github-repo {slug!r}",
                             hint="use OWNER/NAME, e.g. apache/cloudstack")
        return cls(url.rstrip("/"), slug, token)


def check_pr_number(value: str | int) -> int:
    """A positive PR number, or a one-line usage error."""
    text = str(value).strip().lstrip("#")
    if not text.isdigit() or int(text) <= 0:
        raise UsageError(f"bad PR number {value!r}", hint="give a positive number, e.g. --pr 887")
    return int(text)


def fetch_json(api: GitHubApi, url: str) -> tuple[Any, str | None]:
    """GET ``url``; return the decoded body and the ``rel=next`` link, mapping errors."""
    return request_json(api, url)


def request_json(api: GitHubApi, url: str, method: str = "GET",
                 payload: Mapping[str, Any] | None = None) -> tuple[Any, str | None]:
    """``method`` ``url`` (JSON ``payload``); the decoded body and the ``rel=next`` link."""
    headers = {"Accept": "application/vnd.github+json", "User-Agent": "vrtest",
               "X-GitHub-Api-Version": "2022-11-28"}
    if api.token:
        headers["Authorization"] = f"Bearer {api.token}"
    data = None
    if payload is not None:
        data = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = json.loads(response.read().decode("utf-8") or "null")
            match = _NEXT_LINK.search(response.headers.get("Link") or "")
            return body, match.group(1) if match else None
    except urllib.error.HTTPError as exc:
        raise http_error(api, exc) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UnreachableError(f"GitHub API {api.base_url} unreachable: {reason}",
                               hint="check the network or --github-api") from exc
    except ValueError as exc:
        raise UnreachableError(f"GitHub API {api.base_url} returned invalid JSON") from exc


def http_error(api: GitHubApi, exc: urllib.error.HTTPError) -> UsageError | UnreachableError:
    """One-line error for an HTTP failure: 404, 401, 403/429 rate limit, other."""
    headers = exc.headers
    if exc.code in (403, 429) and (headers.get("X-RateLimit-Remaining") == "0"
                                   or headers.get("Retry-After")):
        return UnreachableError(f"GitHub API rate limit exceeded; {reset_text(headers)}",
                                hint="set GITHUB_TOKEN for a higher limit")
    if exc.code == 401:
        return UsageError("GitHub rejected the token (HTTP 401 Bad credentials)",
                          hint="check GITHUB_TOKEN")
    if exc.code == 404:
        return UsageError(f"not found on {api.base_url}: {exc.url}",
                          hint=f"check the PR number and --github-repo (now {api.repo})")
    if exc.code == 403:
        return UsageError("GitHub refused access (HTTP 403)",
                          hint="the token needs read access to the repository")
    return UnreachableError(f"GitHub API answered HTTP {exc.code} for {exc.url}")


def reset_text(headers: Any) -> str:
    """When the rate limit resets, from ``X-RateLimit-Reset`` or ``Retry-After``."""
    reset = headers.get("X-RateLimit-Reset")
    if reset and reset.isdigit():
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(reset)))
        return f"it resets at {stamp}"
    retry = headers.get("Retry-After")
    return f"retry after {retry}s" if retry else "reset time unknown"


def from_pull_request(api: GitHubApi, pr: int) -> ChangeSet:
    """Every file of PR ``pr`` (renames: old and new path), following ``Link: rel=next``."""
    base = f"{api.base_url}/repos/{api.repo}/pulls/{pr}"
    info, _ = fetch_json(api, base)
    url: str | None = f"{base}/files?per_page={PAGE_SIZE}"
    paths: list[str] = []
    entries = 0
    while url:
        page, url = fetch_json(api, url)
        entries += len(page)
        for entry in page:
            paths.append(entry["filename"])
            if entry.get("previous_filename"):
                paths.append(entry["previous_filename"])
    notes = cap_notes(info, entries)
    source = {**pull_source(api, pr, info), "truncated": bool(notes)}
    return ChangeSet.build(paths, source, notes)


def pull_source(api: GitHubApi, pr: int, info: Mapping[str, Any]) -> dict[str, Any]:
    """The ``source`` block for a PR: number, title, branches and head commit."""
    head = info.get("head") or {}
    base = info.get("base") or {}
    return {"kind": "pr", "pr": pr, "repo": api.repo, "api": api.base_url,
            "title": info.get("title"), "branch": head.get("ref"), "base": base.get("ref"),
            "commit": head.get("sha"), "changed_files": info.get("changed_files")}


def cap_notes(info: Mapping[str, Any], listed: int) -> list[str]:
    """A note when GitHub's 3,000-file cap truncated the list."""
    total = info.get("changed_files")
    if (isinstance(total, int) and total > GITHUB_FILE_CAP) or listed >= GITHUB_FILE_CAP:
        return [f"GitHub lists at most {GITHUB_FILE_CAP:,} files per pull request "
                f"(this one changes {total}); the list is truncated, so the whole VR set is "
                "selected; use --pr N --repo PATH for the complete diff"]
    return []
