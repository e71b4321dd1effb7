"""``vrtest report comment``: one comment per PR and environment, updated on re-runs, against a
real HTTP server on loopback standing in for GitHub's issue-comments API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import CliRunner
from tests.loopback import serve
from tests.test_report_content import _marvin, _write_run
from vrtest.reports import write_reports

REPO = "/repos/apache/cloudstack"
TOKEN = "ghp_comment-token-0123456789"


@dataclass
class FakeIssues:
    """Comments of PR 887, the token's account, and every request seen."""

    base: str = ""
    login: str = "vrtest-bot"
    comments: list[dict[str, Any]] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    post_reply: Any = None  # when set, what a POST answers instead of the new comment

    def add(self, author: str, body: str) -> int:
        comment_id = 1000 + len(self.comments)
        self.comments.append({"id": comment_id, "user": {"login": author}, "body": body,
                              "html_url": f"https://github.test/c/{comment_id}"})
        return comment_id


def _handler(fake: FakeIssues) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"null")
            fake.seen.append((self.command, self.path, dict(self.headers.items())))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._answer(401, {"message": "Bad credentials"})
            path = urlparse(self.path).path
            if (self.command, path) == ("GET", "/user"):
                return self._answer(200, {"login": fake.login})
            if (self.command, path) == ("GET", f"{REPO}/issues/887/comments"):
                page = 2 if "page=2" in self.path else 1
                half = len(fake.comments) // 2
                if page == 1:  # two pages, as GitHub paginates
                    nxt = f"{fake.base}{REPO}/issues/887/comments?per_page=100&page=2"
                    link = f'<{nxt}>; rel="next"'
                    return self._answer(200, fake.comments[:half], {"Link": link})
                return self._answer(200, fake.comments[half:])
            if (self.command, path) == ("POST", f"{REPO}/issues/887/comments"):
                if fake.post_reply is not None:
                    return self._answer(201, fake.post_reply)
                comment_id = fake.add(fake.login, payload["body"])
                return self._answer(201, fake.comments[-1] | {"id": comment_id})
            if self.command == "PATCH" and path.startswith(f"{REPO}/issues/comments/"):
                comment_id = int(path.rsplit("/", 1)[1])
                for comment in fake.comments:
                    if comment["id"] == comment_id:
                        comment["body"] = payload["body"]
                        return self._answer(200, comment)
            return self._answer(404, {"message": "Not Found"})

        do_GET = do_POST = do_PATCH = _route

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def issues() -> Iterator[FakeIssues]:
    fake = FakeIssues()
    with serve(_handler(fake)) as base:
        fake.base = base
        yield fake


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    _write_run(tmp_path / "run", [_marvin()])
    write_reports(tmp_path / "run")
    return tmp_path / "run"


def _comment(cli: CliRunner, issues: FakeIssues, run_dir: Path, *extra: str):
    return cli("report", "comment", str(run_dir), "--pr", "887", "--github-api", issues.base,
               "--format", "json", *extra, env={"GITHUB_TOKEN": TOKEN})


def test_first_run_posts_and_a_rerun_updates_the_same_comment(
        cli: CliRunner, issues: FakeIssues, run_dir: Path) -> None:
    issues.add("someone", "LGTM")
    first = _comment(cli, issues, run_dir)
    assert first.code == 0, first.err
    posted = json.loads(first.out)
    assert posted["action"] == "created" and posted["key"] == "lab-kvm"
    ours = issues.comments[-1]
    assert ours["body"].startswith("<!-- vrtest-comment env=lab-kvm -->\n## vrtest:")
    second = _comment(cli, issues, run_dir)
    assert json.loads(second.out) == posted | {"action": "updated"}
    assert len(issues.comments) == 2 and issues.comments[0]["body"] == "LGTM"
    assert [method for method, _, _ in issues.seen].count("POST") == 1
    assert TOKEN not in first.out + first.err + second.out + second.err


def test_another_environment_gets_its_own_comment(cli: CliRunner, issues: FakeIssues,
                                                  run_dir: Path) -> None:
    _comment(cli, issues, run_dir)
    other = _comment(cli, issues, run_dir, "--key", "lab-xen")
    assert json.loads(other.out)["action"] == "created"
    assert [c["body"].splitlines()[0] for c in issues.comments] == [
        "<!-- vrtest-comment env=lab-kvm -->", "<!-- vrtest-comment env=lab-xen -->"]


def test_a_marker_in_someone_elses_comment_is_never_edited(cli: CliRunner, issues: FakeIssues,
                                                           run_dir: Path) -> None:
    planted = issues.add("pr-author", "<!-- vrtest-comment env=lab-kvm -->\nall green, trust me")
    result = _comment(cli, issues, run_dir)
    assert json.loads(result.out)["action"] == "created"
    assert next(c for c in issues.comments if c["id"] == planted)["body"].endswith("trust me")


def test_no_token_bad_token_and_no_summary_are_one_line_errors(
        cli: CliRunner, issues: FakeIssues, run_dir: Path, tmp_path: Path) -> None:
    bare = cli("report", "comment", str(run_dir), "--pr", "887", "--github-api", issues.base,
               env={"GITHUB_TOKEN": ""})
    assert bare.code == 2 and "needs a token" in bare.err
    wrong = cli("report", "comment", str(run_dir), "--pr", "887", "--github-api", issues.base,
                env={"GITHUB_TOKEN": "ghp_wrong-token-value"})
    assert wrong.code == 2 and "HTTP 401" in wrong.err and "ghp_wrong" not in wrong.err
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = cli("report", "comment", str(empty), "--pr", "887", env={"GITHUB_TOKEN": TOKEN})
    assert missing.code == 2 and "has no summary.md" in missing.err
    bad_pr = cli("report", "comment", str(run_dir), "--pr", "x1", env={"GITHUB_TOKEN": TOKEN})
    assert bad_pr.code == 2 and "bad PR number" in bad_pr.err
    down = cli("report", "comment", str(run_dir), "--pr", "887", "--github-api",
               "http://127.0.0.1:9", env={"GITHUB_TOKEN": TOKEN})
    assert down.code == 3 and "unreachable" in down.err and "Traceback" not in down.err


@pytest.mark.parametrize("reply", [{"message": "moved"}, ["not", "a", "comment"]])
def test_an_answer_without_a_comment_id_is_a_one_line_error(
        cli: CliRunner, issues: FakeIssues, run_dir: Path, reply: Any) -> None:
    issues.post_reply = reply
    result = _comment(cli, issues, run_dir)
    assert result.code == 3 and "without a comment id" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
