"""Post summary.md as the PR comment, or update vrtest's earlier one for the same environment.

One comment per PR and environment, found again by an invisible marker
(``<!-- vrtest-comment env=lab-kvm -->``) and only among comments written by the token's own
account, so re-runs edit it instead of piling up comments and nobody else's comment is touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vrtest.errors import UnreachableError, UsageError
from vrtest.reports.markdown import LIMIT  # GitHub's maximum comment body
from vrtest.selector.github import GitHubApi, request_json

_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")


@dataclass(frozen=True)
class Posted:
    """What happened: ``created`` or ``updated``, and the comment's address."""

    action: str
    comment_id: int
    url: str


def marker(key: str) -> str:
    """The invisible line that identifies vrtest's comment for ``key`` (an environment)."""
    return f"<!-- vrtest-comment env={_UNSAFE.sub('-', key) or 'default'} -->"


def comment_body(summary: str, key: str) -> str:
    """The marker, then the summary (which is already under the limit)."""
    body = f"{marker(key)}\n{summary}"
    if len(body) > LIMIT:
        raise UsageError(f"summary.md is {len(summary)} characters; a comment holds {LIMIT}",
                         hint="regenerate it with `vrtest report render`")
    return body


def post_summary(api: GitHubApi, pr: int, summary: str, key: str) -> Posted:
    """Update vrtest's comment for ``key`` on PR ``pr``, or create it."""
    if not api.token:
        raise UsageError("posting a PR comment needs a token", hint="set GITHUB_TOKEN")
    body = comment_body(summary, key)
    existing = _own_comment(api, pr, marker(key))
    if existing is not None:
        url = f"{api.base_url}/repos/{api.repo}/issues/comments/{existing}"
        answer, _ = request_json(api, url, "PATCH", {"body": body})
        return Posted("updated", _comment_id(api, answer), str(answer.get("html_url", "")))
    url = f"{api.base_url}/repos/{api.repo}/issues/{pr}/comments"
    answer, _ = request_json(api, url, "POST", {"body": body})
    return Posted("created", _comment_id(api, answer), str(answer.get("html_url", "")))


def _comment_id(api: GitHubApi, answer: Any) -> int:
    """The id of the comment GitHub says it wrote; anything else is not a GitHub REST API."""
    if isinstance(answer, dict) and isinstance(answer.get("id"), int):
        return int(answer["id"])
    raise UnreachableError(f"GitHub API {api.base_url} answered without a comment id",
                           hint="check that --github-api is the GitHub REST API")


def _own_comment(api: GitHubApi, pr: int, tag: str) -> int | None:
    """The newest comment on ``pr`` by the token's account that carries ``tag``."""
    me, _ = request_json(api, f"{api.base_url}/user")
    login = str(me.get("login", "")) if isinstance(me, dict) else ""
    found: int | None = None
    url: str | None = f"{api.base_url}/repos/{api.repo}/issues/{pr}/comments?per_page=100"
    while url:
        page, url = request_json(api, url)
        for comment in page if isinstance(page, list) else []:
            if _is_ours(comment, login, tag):
                found = int(comment["id"])
    return found


def _is_ours(comment: Any, login: str, tag: str) -> bool:
    if not isinstance(comment, dict) or not login:
        return False
    author = (comment.get("user") or {}).get("login")
    return author == login and str(comment.get("body", "")).startswith(tag)
