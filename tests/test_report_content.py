"""Report content from hand-built results: verdict, counts, evidence, escaping, masking, size."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from vrtest.masking import SecretMasker
from vrtest.reports import write_reports
from vrtest.reports.escape import md_fence, md_text
from vrtest.reports.markdown import LIMIT
from vrtest.results import Evidence, Outcome, SuiteResult, TestResult
from vrtest.runner.store import RunStore

UNESCAPED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")  # [text]( not escaped
HOSTILE_TITLE = "Fix `routes` | <script>alert(1)</script> [x](javascript:alert(1)) @admin"
HOSTILE_BRANCH = "feat/<img src=x onerror=alert(1)>|`x`"
ROUTES = "default via 203.0.113.1 dev eth2\n10.1.1.0/24 dev eth0 proto kernel scope link"


def _write_run(directory: Path, results: list[SuiteResult], **meta: object) -> None:
    store = RunStore(directory)
    store.prepare()
    for result in results:
        store.append(result)
    run_meta = {"env": "lab-kvm", "hypervisor": "kvm", "commit": "0123456789abcdef0123",
                "pr": 887, "title": HOSTILE_TITLE, "branch": HOSTILE_BRANCH,
                "status": "finished", "not_verified": ["vpn: environment lacks VPN"]}
    run_meta.update(meta)
    store.write_json("run.json", run_meta)
    store.write_json("selection.json", {
        "suites": [{"path": "smoke/test_vpc_redundant.py", "tests": [],
                    "reasons": ["rule vpc-routes: systemvm/.../CsRoute.py | <b>x</b>"]}],
        "checks": [{"name": "default-route", "reasons": ["rule routes: CsRoute.py"]}]})


def _marvin() -> SuiteResult:
    return SuiteResult(name="smoke/test_vpc_redundant.py", kind="marvin", duration=12.5, tests=(
        TestResult("test_01_create", "smoke.test_vpc_redundant.TestVPCRedundancy",
                   Outcome.PASSED, 3.0),
        TestResult("test_02_default_routes", "smoke.test_vpc_redundant.TestVPCRedundancy",
                   Outcome.FAILED, 4.25, message="ping 8.8.8.8: 100% packet loss",
                   details="Traceback ...\nAssertionError: 100% packet loss"),
        TestResult("test_03_reboot", "smoke.test_vpc_redundant.TestVPCRedundancy",
                   Outcome.SKIPPED, message="no VPN"),
        TestResult("test_04_gc", "smoke.test_vpc_redundant.TestVPCRedundancy",
                   Outcome.FLAKY, 2.0, message="FAULT", reruns=("FAULT expected",)),
    ))


def _checks(output: str = ROUTES) -> SuiteResult:
    evidence = Evidence("ip route show table main", output, target="r-4-VM",
                        note="no default route")
    return SuiteResult(name="vr-checks", kind="checks", duration=1.5, tests=(
        TestResult("default-route[r-4-VM]", "vrtest.checks.default_route", Outcome.FAILED, 0.5,
                   message="r-4-VM has no default route", evidence=(evidence,)),
        TestResult("iptables-policy[r-4-VM]", "vrtest.checks.iptables_policy", Outcome.PASSED,
                   0.2, evidence=(
            Evidence("iptables -L INPUT", "Chain INPUT (policy DROP)", target="r-4-VM"),)),
    ))


def test_summary_verdict_counts_failures_first_and_evidence(tmp_path: Path) -> None:
    _write_run(tmp_path, [_marvin(), _checks()])
    write_reports(tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## vrtest: :x: FAILED")
    assert "**env** lab-kvm" in summary and "**hypervisor** kvm" in summary
    assert "**commit** 0123456789ab" in summary and "**PR** \\#887" in summary
    assert "| passed | failed | error | skipped | flaky | not run |" in summary
    assert "| 2 | 2 | 0 | 1 | 1 | 0 |" in summary
    table = summary.index("| Test | Result | Time (s) | Suite |")
    assert summary.index("test\\_02\\_default\\_routes", table) < summary.index("### VR evidence")
    assert "| default-route\\[r-4-VM\\] | FAILED | 0.5 | vr-checks |" in summary
    evidence = summary[summary.index("### VR evidence"):]
    assert evidence.index("default-route") < evidence.index("iptables-policy")
    assert "**r-4-VM** · default-route\\[r-4-VM\\] · FAILED" in evidence
    assert "$ ip route show table main\ndefault via 203.0.113.1 dev eth2" in evidence
    assert "- suite smoke/test\\_vpc\\_redundant.py: rule vpc-routes" in summary
    assert "### Not verified" in summary and "vpn: environment lacks VPN" in summary


def test_summary_escapes_pr_controlled_text(tmp_path: Path) -> None:
    _write_run(tmp_path, [_marvin()])
    write_reports(tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    for raw in ("<script>", "<img", "[x](javascript:", "`routes`", "| <script", "@admin",
                "<b>x</b>"):
        assert raw not in summary, raw
    assert UNESCAPED_LINK.search(summary) is None, summary
    assert "&lt;script&gt;" in summary and "\\|" in summary
    assert "@\u200badmin" in summary


def test_evidence_fence_cannot_be_broken_out_of(tmp_path: Path) -> None:
    hostile = "route\n```\n# Injected heading\n````\n<script>x</script>"
    _write_run(tmp_path, [_checks(hostile)])
    write_reports(tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    block = re.search(r"\n(`{5,})text\n(.*?)\n\1\n", summary, re.S)
    assert block is not None, summary
    assert "# Injected heading" in block.group(2)
    assert md_fence("a ```` b").startswith("`````text")


def test_md_text_neutralises_markdown() -> None:
    assert md_text("a|b") == "a\\|b"
    assert md_text("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert UNESCAPED_LINK.search(md_text("see [x](javascript:alert(1)) ![i](y)")) is None
    assert md_text("# heading") == "\\# heading" and md_text("1. item") == "1\\. item"
    assert md_text("- item") == "\\- item" and md_text("> quote") == "&gt; quote"
    assert md_text("r-4-VM via 10.1.1.1 (eth1)") == "r-4-VM via 10.1.1.1 (eth1)"
    assert md_text("*a* _b_ ~c~ `d`") == "\\*a\\* \\_b\\_ \\~c\\~ \\`d\\`"
    assert md_text("&lt;") == "&amp;lt;"
    assert md_text("line1\nline2") == "line1 line2"
    assert md_text("<b>") == "&lt;b&gt;"


def test_summary_stays_under_the_comment_limit(tmp_path: Path) -> None:
    huge = SuiteResult(name="vr-checks", kind="checks", tests=tuple(
        TestResult(f"check-{i}", f"r-{i}-VM", Outcome.FAILED, message="x" * 500,
                   evidence=(Evidence("ip route", "y" * 2900, target=f"r-{i}-VM"),))
        for i in range(200)))
    _write_run(tmp_path, [huge])
    write_reports(tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert len(summary) < LIMIT
    assert summary.startswith("## vrtest: :x: FAILED")
    assert "| 0 | 200 | 0 | 0 | 0 | 0 |" in summary
    assert "_Truncated:" in summary and "report.html" in summary
    assert summary.count("```") % 2 == 0  # no fence left open


def test_junit_has_a_testsuite_per_suite_with_properties(tmp_path: Path) -> None:
    _write_run(tmp_path, [_marvin(), _checks()])
    write_reports(tmp_path)
    root = ET.parse(tmp_path / "junit.xml").getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["smoke/test_vpc_redundant.py", "vr-checks"]
    props = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert props["env"] == "lab-kvm" and props["hypervisor"] == "kvm"
    assert props["commit"] == "0123456789abcdef0123" and props["pr"] == "887"
    assert json.loads(props["selection"]) == {"suites": ["smoke/test_vpc_redundant.py"],
                                              "checks": ["default-route"]}
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["test_02_default_routes"].find("failure").get("message") == (
        "ping 8.8.8.8: 100% packet loss")
    assert cases["test_03_reboot"].find("skipped") is not None
    assert cases["test_04_gc"].find("flakyFailure").get("message") == "FAULT expected"
    route = cases["default-route[r-4-VM]"]
    assert "ip route show table main" in route.find("system-out").text


def test_suite_error_and_not_run_rows(tmp_path: Path) -> None:
    timed_out = SuiteResult(name="smoke/test_hang.py", kind="marvin", error="timed out after 5s",
                            log_tail="last line before the hang")
    not_run = SuiteResult(name="smoke/test_vpc_vpn.py", kind="marvin",
                          error="not run: no management server", metadata={"not_run": "true"})
    _write_run(tmp_path, [timed_out, not_run])
    write_reports(tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert "| 0 | 0 | 1 | 0 | 0 | 1 |" in summary
    assert summary.startswith("## vrtest: :x: FAILED (1 not run)")
    assert "last line before the hang" in summary
    assert "not run (1): smoke/test\\_vpc\\_vpn.py: no management server" in summary
    cases = {c.get("classname"): c for c in ET.parse(tmp_path / "junit.xml").iter("testcase")}
    assert cases["smoke/test_hang.py"].find("error").get("message") == "timed out after 5s"
    assert "not run" in cases["smoke/test_vpc_vpn.py"].find("skipped").get("message")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_autoescaped(tmp_path: Path) -> None:
    _write_run(tmp_path, [_marvin(), _checks("<script>alert('route')</script>")])
    write_reports(tmp_path)
    page = (tmp_path / "report.html").read_text()
    parser = _Collect()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "link" not in parser.tags and "http" not in page.split("<body>")[0]
    text = "".join(parser.text)
    assert "vrtest: FAILED" in text
    assert HOSTILE_TITLE in html.unescape(page)
    assert "r-4-VM · default-route[r-4-VM] · FAILED" in text
    assert "ip route show table main" in text and "Not verified" in text


def test_secrets_are_masked_in_every_report(tmp_path: Path, secrets: SecretMasker) -> None:
    secrets.register("s3cr3t-key-value")
    leaked = _checks("password=s3cr3t-key-value")
    _write_run(tmp_path, [leaked], title="token s3cr3t-key-value")
    write_reports(tmp_path)
    for name in ("results.jsonl", "run.json", "junit.xml", "summary.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert "s3cr3t-key-value" not in text, name
    assert "****" in (tmp_path / "summary.md").read_text()


def test_nothing_verified_says_why_in_every_report(tmp_path: Path) -> None:
    hostile_skip = "needs <b>VPN</b> | [x](javascript:alert(1))"
    results = [
        SuiteResult(name="smoke/test_a.py", kind="marvin", error="not run: environment 'local' "
                    "has no CloudStack management server", metadata={"not_run": "true"}),
        SuiteResult(name="smoke/test_b.py", kind="marvin", error="not run: environment 'local' "
                    "has no CloudStack management server", metadata={"not_run": "true"}),
        SuiteResult(name="smoke/test_vpn.py", kind="marvin", tests=(
            TestResult("test_01", "smoke.test_vpn.TestVpn", Outcome.SKIPPED,
                       message=hostile_skip),)),
    ]
    _write_run(tmp_path, results)
    write_reports(tmp_path)
    first = (tmp_path / "summary.md").read_text().splitlines()[0]
    assert first.startswith("## vrtest: :warning: NOTHING VERIFIED - 2 not run: environment "
                            "'local' has no CloudStack management server; 1 skipped: needs ")
    assert "<b>" not in first and UNESCAPED_LINK.search(first) is None
    page = (tmp_path / "report.html").read_text()
    heading = re.search(r'<h1 class="verdict">(.*?)</h1>', page, re.S)
    assert heading is not None
    assert html.unescape(heading.group(1)) == (
        "vrtest: NOTHING VERIFIED - 2 not run: environment 'local' has no CloudStack "
        f"management server; 1 skipped: {hostile_skip}")
    assert "<b>VPN" not in page


def test_nothing_selected_is_nothing_verified_with_why(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.prepare()
    store.write_json("run.json", {"env": "lab-kvm", "status": "finished"})
    store.write_json("selection.json", {"changed": ["README.md"], "unmatched": ["README.md"],
                                        "suites": [], "checks": [], "not_verified": []})
    write_reports(tmp_path)
    first = (tmp_path / "summary.md").read_text().splitlines()[0]
    assert first == ("## vrtest: :warning: NOTHING VERIFIED - nothing was selected: 1 changed "
                     "file(s), 1 outside every VR area")


def test_summary_lists_the_changed_files_escaped_and_capped(tmp_path: Path) -> None:
    changed = ["systemvm/debian/opt/cloud/bin/cs/CsRoute.py", "ui/<img src=x onerror=1>.vue"]
    changed += [f"docs/page{i}.md" for i in range(40)]
    _write_run(tmp_path, [_marvin()])
    selection = json.loads((tmp_path / "selection.json").read_text())
    selection["changed"] = changed
    (tmp_path / "selection.json").write_text(json.dumps(selection))
    write_reports(tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    line = next(text for text in summary.splitlines() if text.startswith("Changed files"))
    assert line.startswith("Changed files (42): systemvm/debian/opt/cloud/bin/cs/CsRoute.py, ui/")
    assert "<img" not in summary and "&lt;img src=x onerror=1&gt;" in line
    assert line.endswith("and 12 more")
