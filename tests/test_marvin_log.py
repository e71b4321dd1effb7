"""Reading real Marvin's output: its log folders and why its init failed."""

from __future__ import annotations

from pathlib import Path

from vrtest.runner.marvin_log import init_failure, log_folders

# What Marvin 4.22 printed (nose) when its test client could not be created.
FAILED_INIT = """
==== Marvin Init Started ====

=== Marvin Parse Config Successful ===

=== Marvin Setting TestData Successful===

==== Log Folder Path: {folder} All logs will be available here ====

=== Marvin Init Logging Successful===

==== Marvin Init Failed ====

Starting Marvin Failed, exiting. Please Check
"""
RUNINFO = """2026-11-26 03:53:37,780 - DEBUG - Parsing Test data successful
2026-11-26 03:53:37,781 - ERROR - Exception Occurred Under createTestClient : ['Traceback']
Traceback (most recent call last):
  File "marvin/cloudstackTestClient.py", line 197, in __createDbConnection
    host = "localhost" if self.__dbSvrDetails.dbSvr is None \\
AttributeError: 'NoneType' object has no attribute 'dbSvr'
"""


def test_init_failure_reads_the_reason_from_runinfo(tmp_path: Path) -> None:
    folder = tmp_path / "MarvinLogs" / "Nov_26_2026_03_53_37_X29PDC"
    folder.mkdir(parents=True)
    (folder / "runinfo.txt").write_text(RUNINFO)
    log = tmp_path / "suite.log"
    log.write_text(FAILED_INIT.format(folder=folder))
    assert init_failure(log) == (
        "Marvin could not initialise: AttributeError: 'NoneType' object has no attribute "
        f"'dbSvr' (its log: {folder}/runinfo.txt)")


def test_no_init_failure_when_marvin_started(tmp_path: Path) -> None:
    log = tmp_path / "suite.log"
    log.write_text("==== Marvin Init Successful ====\nRan 0 tests\n")
    assert init_failure(log) == "" and init_failure(tmp_path / "missing.log") == ""


def test_log_folders_are_the_announced_ones_under_the_root(tmp_path: Path) -> None:
    root = tmp_path / "marvin-logs"
    mine, copied = root / "MarvinLogs" / "Nov_A", root / "MarvinLogs" / "test_suite_B"
    log = tmp_path / "suite.log"
    log.write_text(f"==== Log Folder Path: {mine} All logs will be available here ====\n"
                   f"=== Final results are now copied to: {copied} ===\n"
                   "==== Log Folder Path: /tmp/elsewhere All logs will be available here ====\n")
    assert log_folders(log, root) == [mine.resolve(), copied.resolve()]
