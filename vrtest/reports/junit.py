"""junit.xml (junit-xml), with Surefire's flakyFailure/rerunFailure elements added afterwards."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from junit_xml import TestCase, TestSuite, to_xml_report_string

from vrtest.history.api import JUNIT_PROPERTY
from vrtest.history.runhook import classes_by_test, row_key
from vrtest.masking import mask
from vrtest.reports.model import Row, RunReport, suite_rows
from vrtest.results import Outcome, SuiteResult


def _properties(report: RunReport, result: SuiteResult) -> dict[str, str]:
    meta = report.meta
    props = {key: str(meta[key]) for key in ("env", "hypervisor", "commit", "pr", "branch",
                                              "shard") if meta.get(key) not in (None, "")}
    props["selection"] = json.dumps({"suites": [s.get("path") for s in
                                                report.selection.get("suites", [])],
                                     "checks": [c.get("name") for c in
                                                report.selection.get("checks", [])]})
    props["kind"] = result.kind
    if result.command:
        props["command"] = " ".join(result.command)
    return props


def _case(row: Row) -> TestCase:
    test = row.test
    stdout = "\n\n".join(f"$ {e.command}\n{e.output}" for e in test.evidence) or None
    case = TestCase(test.name, classname=test.classname or row.suite.name,
                    elapsed_sec=test.duration, stdout=stdout)
    if test.outcome is Outcome.FAILED:
        case.add_failure_info(message=test.message, output=test.details)
    elif test.outcome is Outcome.ERROR:
        case.add_error_info(message=test.message, output=test.details)
    elif test.outcome is Outcome.SKIPPED:
        case.add_skipped_info(message=test.message, output=test.details)
    elif test.outcome is Outcome.NOT_RUN:
        case.add_skipped_info(message=f"not run: {test.message}")
    return case


def render_junit(report: RunReport) -> str:
    """One testsuite per Marvin suite and one for the VR checks; masked."""
    suites, rows_per_suite = [], []
    for result in report.results:
        rows = suite_rows(result)
        rows_per_suite.append(rows)
        suites.append(TestSuite(result.name, [_case(row) for row in rows],
                                timestamp=result.started or None,
                                properties=_properties(report, result)))
    xml = to_xml_report_string(suites, prettyprint=True, encoding="utf-8")
    xml = _add_reruns(xml, rows_per_suite)
    return mask(_add_baseline(xml, rows_per_suite, classes_by_test(report.meta)))


def _add_baseline(xml: str, rows_per_suite: list[list[Row]], classes: dict[str, str]) -> str:
    """Give each classified failure a ``vrtest.baseline`` property: new, known or flaky."""
    if not classes:
        return xml
    root = ET.fromstring(xml)
    for element, rows in zip(root.findall("testsuite"), rows_per_suite, strict=True):
        for case, row in zip(element.findall("testcase"), rows, strict=True):
            key = row_key(row.suite.name, row.test.classname, row.test.name)
            if key in classes:
                properties = ET.Element("properties")
                ET.SubElement(properties, "property", {"name": JUNIT_PROPERTY,
                                                       "value": classes[key]})
                case.insert(0, properties)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _add_reruns(xml: str, rows_per_suite: list[list[Row]]) -> str:
    """Add flakyFailure (flaky) and rerunFailure (failed again) elements, as Surefire does."""
    if not any(row.test.reruns for rows in rows_per_suite for row in rows):
        return xml
    root = ET.fromstring(xml)
    for element, rows in zip(root.findall("testsuite"), rows_per_suite, strict=True):
        for case, row in zip(element.findall("testcase"), rows, strict=True):
            for message in row.test.reruns:
                tag = "flakyFailure" if row.outcome is Outcome.FLAKY else "rerunFailure"
                _rerun_element(case, tag, message, row)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _rerun_element(case: ET.Element, tag: str, message: str, row: Row) -> None:
    attrs: dict[str, Any] = {"message": message, "type": "AssertionError"}
    element = ET.SubElement(case, tag, attrs)
    trace = ET.SubElement(element, "stackTrace")
    trace.text = message if tag == "rerunFailure" else (row.test.details or message)
