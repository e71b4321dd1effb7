"""``vrtest run --pr N`` against a real HTTP server on loopback standing in for GitHub."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml

from tests.conftest import CliRunner
from tests.loopback import serve
from tests.run_support import make_checkout, standin_environ, write_env

TITLE = "Fix `routes` | <script>alert(1)</script> [x](javascript:alert(1)) @admin"
BRANCH = "feat/<img src=x onerror=alert(1)>"
PULL = {"title": TITLE, "changed_files": 1,
        "head": {"ref": BRANCH, "sha": "feedface00112233"}, "base": {"ref": "main"}}
FILES = [{"filename": "systemvm/debian/opt/cloud/bin/cs/CsRoute.py"}]


class _GitHub(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body = {"/repos/apache/cloudstack/pulls/887": PULL,
                "/repos/apache/cloudstack/pulls/887/files": FILES}.get(path)
        data = json.dumps(body if body is not None else {"message": "Not Found"}).encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def github() -> Iterator[str]:
    """Base URL of the fake API."""
    with serve(_GitHub) as base:
        yield base


def test_pr_run_records_the_pr_and_escapes_its_title(cli: CliRunner, tmp_path: Path,
                                                      github: str) -> None:
    checkout = make_checkout(tmp_path)
    env = write_env(tmp_path, checkout)
    descriptor = yaml.safe_load(env.read_text())
    descriptor["capabilities"]["real_vrs"] = False  # checks: NOT RUN, nothing to reach
    env.write_text(yaml.safe_dump(descriptor))
    out = tmp_path / "out"
    result = cli("run", "--pr", "887", "--env", str(env), "--output", str(out),
                 env={**standin_environ(tmp_path), "GITHUB_API_URL": github})
    assert result.code == 0, result.err
    meta = json.loads((out / "run.json").read_text())
    assert meta["pr"] == 887 and meta["commit"] == "feedface00112233"
    assert meta["title"] == TITLE and meta["branch"] == BRANCH
    summary = (out / "summary.md").read_text()
    assert "**PR** \\#887 Fix \\`routes\\` \\| &lt;script&gt;" in summary
    assert "**commit** feedface0011" in summary
    for raw in ("<script>", "<img", "[x](javascript:", "@admin"):
        assert raw not in summary
    assert re.search(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(", summary) is None  # no live link
    page = (out / "report.html").read_text()
    assert "<script>" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "has no real VRs to check over SSH" in summary  # checks not run, and said so
    assert summary.startswith("## vrtest: :warning: NOTHING VERIFIED")
