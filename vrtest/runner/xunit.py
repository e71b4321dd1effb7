"""Parse the xunit file nose writes (or pytest's JUnit XML) into :class:`TestResult` records."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from vrtest.results import Outcome, TestResult

_CONTEXT_PREFIX = "<nose.suite"  # nose's id_split of "<nose.suite.ContextSuite context=C>:setup"


def parse_report(path: Path) -> list[TestResult]:
    """Every testcase in ``path``; raises ValueError when the file is missing or not XML."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ValueError(f"no readable test report {path.name}: {exc}") from exc
    return [_testcase(case) for case in root.iter("testcase")]


def _testcase(case: ET.Element) -> TestResult:
    classname = case.get("classname", "")
    name = case.get("name", "")
    if classname == _CONTEXT_PREFIX:  # class/module setup or teardown error in nose
        classname, name = _context_names(name)
    outcome, message, details = Outcome.PASSED, "", ""
    for tag, kind in (("failure", Outcome.FAILED), ("error", Outcome.ERROR),
                      ("skipped", Outcome.SKIPPED)):
        element = case.find(tag)
        if element is not None:
            outcome = kind
            message = element.get("message", "") or ""
            details = (element.text or "").strip()
            break
    return TestResult(name=name, classname=classname, outcome=outcome,
                      duration=float(case.get("time", "0") or 0), message=message,
                      details=details)


def _context_names(name: str) -> tuple[str, str]:
    """``ContextSuite context=TestVPC>:setup`` -> (``TestVPC``, ``setup (ContextSuite)``)."""
    body, _, phase = name.partition(">:")
    context = body.split("context=", 1)[-1]
    return context, f"{phase or 'setup'} (ContextSuite)"


def is_context_error(test: TestResult) -> bool:
    """True for a nose class/module setup or teardown error."""
    return test.name.endswith("(ContextSuite)")


def rerun_id(test: TestResult) -> str:
    """``Class.method`` (or just ``Class`` for a setup error) to narrow a rerun."""
    cls = test.classname.rsplit(".", 1)[-1]
    if is_context_error(test):
        return cls
    return f"{cls}.{test.name}" if cls else test.name
