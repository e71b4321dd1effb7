"""``--pr N`` against a real HTTP server on loopback standing in for the GitHub REST API."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.loopback import serve
from vrtest.errors import ExitCode, UnreachableError, UsageError
from vrtest.selector.github import GitHubApi, check_pr_number, from_pull_request

TOKEN = "ghp_s3cretTokenValue123"


@dataclass
class FakeGitHub:
    """Routes (path -> status, headers, body) and the requests seen."""

    base: str = ""
    prefix: str = ""
    routes: dict[str, tuple[int, dict[str, str], Any]] = field(default_factory=dict)
    seen: list[dict[str, str]] = field(default_factory=list)

    def pull(self, number: int, files: list[dict[str, Any]], per_page: int = 2,
             changed: int | None = None) -> None:
        """Serve PR ``number`` with ``files`` split into pages linked by ``Link: rel=next``."""
        root = f"{self.prefix}/repos/apache/cloudstack/pulls/{number}"
        self.routes[root] = (200, {}, {
            "title": "Fix <b>redundant</b> | routes", "changed_files": changed or len(files),
            "head": {"ref": "fix-rvr", "sha": "abc123"}, "base": {"ref": "main"}})
        pages = [files[i:i + per_page] for i in range(0, len(files), per_page)] or [[]]
        for index, page in enumerate(pages, start=1):
            headers = {}
            if index < len(pages):
                headers["Link"] = (f'<{self.base}{root}/files?per_page=100&page={index + 1}>; '
                                   f'rel="next", <{self.base}{root}/files?page=1>; rel="first"')
            self.routes[f"{root}/files#{index}"] = (200, headers, page)


def make_handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.seen.append({"path": self.path, **dict(self.headers.items())})
            url = urlparse(self.path)
            page = parse_qs(url.query).get("page", ["1"])[0]
            key = f"{url.path}#{page}" if url.path.endswith("/files") else url.path
            status, headers, body = fake.routes.get(key, (404, {}, {"message": "Not Found"}))
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    with serve(make_handler(fake)) as base:
        fake.base = base
        yield fake


def api(fake: FakeGitHub, token: str | None = None) -> GitHubApi:
    return GitHubApi(fake.base + fake.prefix, "apache/cloudstack", token)


FILES = [
    {"filename": "systemvm/debian/opt/cloud/bin/cs/CsRedundant.py", "status": "modified"},
    {"filename": "systemvm/debian/opt/cloud/bin/cs/CsVrrp.py", "status": "renamed",
     "previous_filename": "systemvm/debian/opt/cloud/bin/cs/CsKeepalived.py"},
    {"filename": "ui/src/old.vue", "status": "removed"},
    {"filename": "docs/a.md", "status": "added"},
    {"filename": "docs/b.md", "status": "added"},
]


def test_pagination_follows_link_headers_and_counts_renames(github: FakeGitHub) -> None:
    github.pull(887, FILES, per_page=2)
    changes = from_pull_request(api(github), 887)
    assert changes.paths == (
        "systemvm/debian/opt/cloud/bin/cs/CsRedundant.py",
        "systemvm/debian/opt/cloud/bin/cs/CsVrrp.py",
        "systemvm/debian/opt/cloud/bin/cs/CsKeepalived.py",
        "ui/src/old.vue", "docs/a.md", "docs/b.md")
    assert [s["path"] for s in github.seen][-3:][-1].endswith("page=3")
    assert changes.source == {
        "kind": "pr", "pr": 887, "repo": "apache/cloudstack", "api": github.base,
        "title": "Fix <b>redundant</b> | routes", "branch": "fix-rvr", "base": "main",
        "commit": "abc123", "changed_files": 5, "truncated": False}


def test_unknown_pr_is_a_one_line_usage_error(github: FakeGitHub) -> None:
    with pytest.raises(UsageError, match="not found") as info:
        from_pull_request(api(github), 99999)
    assert info.value.exit_code == ExitCode.CONFIG
    assert "\n" not in info.value.one_line()


def test_bad_token_is_401_usage_error(github: FakeGitHub) -> None:
    github.routes["/repos/apache/cloudstack/pulls/1"] = (401, {}, {"message": "Bad credentials"})
    with pytest.raises(UsageError, match="HTTP 401") as info:
        from_pull_request(api(github, "wrong"), 1)
    assert info.value.exit_code == ExitCode.CONFIG


def test_rate_limit_is_unreachable_with_reset_time(github: FakeGitHub) -> None:
    github.routes["/repos/apache/cloudstack/pulls/1"] = (
        403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000000"},
        {"message": "API rate limit exceeded"})
    with pytest.raises(UnreachableError) as info:
        from_pull_request(api(github), 1)
    assert info.value.exit_code == ExitCode.UNREACHABLE
    assert "resets at 2023-11-14 22:13:20 UTC" in info.value.one_line()


def test_forbidden_without_rate_limit_is_a_usage_error(github: FakeGitHub) -> None:
    github.routes["/repos/apache/cloudstack/pulls/1"] = (403, {"X-RateLimit-Remaining": "40"},
                                                         {"message": "Forbidden"})
    with pytest.raises(UsageError, match="HTTP 403"):
        from_pull_request(api(github), 1)


def test_unreachable_api_exits_3() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UnreachableError, match="unreachable"):
        from_pull_request(GitHubApi(f"http://127.0.0.1:{port}", "apache/cloudstack"), 1)


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "12a", ""])
def test_bad_pr_numbers(bad: str) -> None:
    with pytest.raises(UsageError, match="bad PR number"):
        check_pr_number(bad)


def test_enterprise_base_url_token_header_and_no_leak(cli, github: FakeGitHub) -> None:
    github.prefix = "/api/v3"
    github.pull(7, FILES)
    result = cli("select", "--pr", "7", "--format", "json",
                 env={"GITHUB_API_URL": github.base + "/api/v3", "GITHUB_TOKEN": TOKEN})
    assert result.code == 0, result.err
    assert all(s["path"].startswith("/api/v3/") for s in github.seen)
    assert all(s.get("Authorization") == f"Bearer {TOKEN}" for s in github.seen)
    assert TOKEN not in result.out + result.err
    data = json.loads(result.out)
    assert data["source"]["pr"] == 7
    assert "smoke/test_vpc_redundant.py" in {s["path"] for s in data["suites"]}


def test_flag_overrides_env_base_url(cli, github: FakeGitHub) -> None:
    github.pull(8, FILES[:1])
    result = cli("select", "--pr", "8", "--github-api", github.base,
                 env={"GITHUB_API_URL": "http://127.0.0.1:9/nowhere", "GITHUB_TOKEN": ""})
    assert result.code == 0, result.err
    assert "Authorization" not in github.seen[0]


def test_file_cap_is_stated_and_selects_the_whole_vr_set(cli, github: FakeGitHub) -> None:
    github.pull(9, [{"filename": "docs/x.md", "status": "added"}], changed=3500)
    result = cli("select", "--pr", "9", "--github-api", github.base, "--format", "json")
    data = json.loads(result.out)
    assert any("at most 3,000 files" in note for note in data["notes"])
    assert data["fallback"] is True and data["source"]["truncated"] is True
    assert "smoke/test_routers.py" in {s["path"] for s in data["suites"]}


@pytest.mark.parametrize(("status", "headers", "code", "text"), [
    (404, {}, 2, "not found"),
    (401, {}, 2, "HTTP 401"),
    (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000000"}, 3, "rate limit"),
])
def test_cli_errors_are_one_line_with_exit_code(
    cli, github: FakeGitHub, status: int, headers: dict[str, str], code: int, text: str
) -> None:
    github.routes["/repos/apache/cloudstack/pulls/5"] = (status, headers, {"message": "x"})
    result = cli("select", "--pr", "5", "--github-api", github.base,
                 env={"GITHUB_TOKEN": TOKEN})
    assert result.code == code
    assert text in result.err and len(result.err.strip().splitlines()) <= 2
    assert "Traceback" not in result.err and TOKEN not in result.err


def test_multibranch_job_without_checkout_asks_the_api(cli, github: FakeGitHub,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ghprbPullId", "ghprbTargetBranch", "ghprbActualCommit"):
        monkeypatch.delenv(name, raising=False)
    github.pull(12, FILES[:1])
    result = cli("select", "--github-api", github.base, "--format", "json",
                 env={"CHANGE_ID": "12", "CHANGE_TARGET": "main", "GIT_COMMIT": "abc123",
                      "CHANGE_URL": "https://github.com/apache/cloudstack/pull/12"})
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["source"]["kind"] == "jenkins" and data["source"]["jenkins"] == "multibranch"
    assert data["changed"] == ["systemvm/debian/opt/cloud/bin/cs/CsRedundant.py"]
    assert github.seen[0]["path"] == "/repos/apache/cloudstack/pulls/12"
