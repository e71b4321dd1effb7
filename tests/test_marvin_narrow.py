"""Narrowing a suite to methods without bypassing Marvin's client injection."""

from __future__ import annotations

import re

from vrtest.marvin_bridge.narrow import method_pattern, nose_selection, wanted_test
from vrtest.results import Outcome, TestResult
from vrtest.runner.narrowed import unanswered


def test_nose_selection_names_classes_and_matches_methods_exactly() -> None:
    classes, pattern = nose_selection(["TestA.test_01", "TestB.test_02", "TestA.test_03"])
    assert classes == ["TestA", "TestB"]
    assert pattern is not None
    assert re.search(pattern, "test_01") and re.search(pattern, "test_03")
    assert not re.search(pattern, "test_010_other") and not re.search(pattern, "xtest_01")


def test_ddt_expansions_match_their_source_method() -> None:
    """``@ddt`` turns test_rules into test_rules_1_value: a selection names the source."""
    pattern = method_pattern(["test_network_rules_acquired_public_ip"])
    assert re.search(pattern, "test_network_rules_acquired_public_ip_1_I")
    assert re.search(pattern, "test_network_rules_acquired_public_ip_2")
    assert not re.search(pattern, "test_network_rules_acquired_public_ip_extra")


def test_a_whole_class_turns_the_method_filter_off() -> None:
    assert nose_selection(["TestA", "TestB.test_02"]) == (["TestA", "TestB"], None)


def test_wanted_test_per_class() -> None:
    names = ["TestA.test_01", "TestB"]
    assert wanted_test(names, "TestA", "test_01") and wanted_test(names, "TestA", "test_01_2_x")
    assert not wanted_test(names, "TestA", "test_02")
    assert wanted_test(names, "TestB", "anything")
    assert not wanted_test(names, "TestC", "test_01")


def test_unanswered_names_only_tests_nothing_answered_for() -> None:
    ran = [TestResult(name="test_01", classname="integration.smoke.test_x.TestA",
                      outcome=Outcome.PASSED),
           TestResult(name="test_rules_1_I", classname="TestA", outcome=Outcome.FAILED),
           TestResult(name="setup (ContextSuite)", classname="TestB", outcome=Outcome.ERROR)]
    requested = ["TestA.test_01", "TestA.test_rules", "TestB.test_02", "TestA.test_gone",
                 "TestC"]
    assert unanswered(requested, ran) == ["TestA.test_gone"]
