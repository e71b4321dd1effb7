"""Changes from Jenkins job variables, when no source is given on the command line.

GitHub Pull Request Builder (ghprb) sets ``ghprbPullId``, ``ghprbTargetBranch``,
``ghprbActualCommit``; multibranch pipelines set ``CHANGE_ID``, ``CHANGE_TARGET``,
``GIT_COMMIT``. With a checkout the change is ``origin/TARGET...COMMIT``;
without one it is fetched from the GitHub API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class JenkinsChange:
    """What the job variables say about the pull request being built."""

    flavour: str  # ghprb | multibranch
    pr: int
    target: str | None
    commit: str | None
    title: str | None
    branch: str | None
    repo: str | None  # owner/name when the variables tell

    def source(self) -> dict[str, object]:
        """The ``source`` block for the selection."""
        return {"kind": "jenkins", "jenkins": self.flavour, "pr": self.pr,
                "base": self.target, "commit": self.commit, "title": self.title,
                "branch": self.branch}


def detect(environ: Mapping[str, str]) -> JenkinsChange | None:
    """The pull request Jenkins is building, or None when no PR variables are set."""
    if environ.get("ghprbPullId"):
        return _from_ghprb(environ)
    if environ.get("CHANGE_ID"):
        return _from_multibranch(environ)
    return None


def _pr_number(value: str, variable: str) -> int:
    from vrtest.errors import UsageError

    if not value.strip().isdigit():
        raise UsageError(f"Jenkins variable {variable}={value!r} is not a PR number",
                         hint="this job is not building a GitHub pull request")
    return int(value)


def _from_ghprb(environ: Mapping[str, str]) -> JenkinsChange:
    return JenkinsChange(
        flavour="ghprb",
        pr=_pr_number(environ["ghprbPullId"], "ghprbPullId"),
        target=environ.get("ghprbTargetBranch") or None,
        commit=environ.get("ghprbActualCommit") or environ.get("GIT_COMMIT") or None,
        title=environ.get("ghprbPullTitle") or None,
        branch=environ.get("ghprbSourceBranch") or None,
        repo=environ.get("ghprbGhRepository") or None,
    )


def _from_multibranch(environ: Mapping[str, str]) -> JenkinsChange:
    return JenkinsChange(
        flavour="multibranch",
        pr=_pr_number(environ["CHANGE_ID"], "CHANGE_ID"),
        target=environ.get("CHANGE_TARGET") or None,
        commit=environ.get("GIT_COMMIT") or None,
        title=environ.get("CHANGE_TITLE") or None,
        branch=environ.get("CHANGE_BRANCH") or None,
        repo=_repo_from_url(environ.get("CHANGE_URL", "")),
    )


def _repo_from_url(url: str) -> str | None:
    """``owner/name`` from a pull request URL like https://github.com/o/n/pull/12."""
    match = re.search(r"/([\w.-]+)/([\w.-]+)/pull/\d+", url)
    return f"{match.group(1)}/{match.group(2)}" if match else None
