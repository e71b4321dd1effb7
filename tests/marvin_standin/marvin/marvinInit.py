"""``MarvinInit``: reads the config as Marvin does (JSON after '#' lines) and records its args."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from marvin.codes import FAILED, SUCCESS


class ApiClient:
    """A stand-in API client that knows its zone."""

    def __init__(self, zone: str | None) -> None:
        self.zone = zone


class TestClient:
    """What ``getTestClient()`` returns."""

    __test__ = False

    def __init__(self, zone: str | None, hypervisor: str | None) -> None:
        self.identifier: str | None = None
        self.zone = zone
        self.hypervisor = hypervisor

    def getApiClient(self) -> ApiClient:
        """The admin API client."""
        return ApiClient(self.zone)

    def getZoneForTests(self) -> str | None:
        """The zone given on the command line."""
        return self.zone

    def getHypervisorInfo(self) -> str | None:
        """The hypervisor given on the command line."""
        return self.hypervisor


class MarvinInit:
    """Marvin's initialiser, same constructor and methods."""

    def __init__(self, config_file: str, deploy_dc_flag: Any = None,
                 test_mod_name: str = "deploydc", zone: str | None = None,
                 hypervisor_type: str | None = None,
                 user_logfolder_path: str | None = None) -> None:
        self.config_file = config_file
        self.args = {"config_file": config_file, "deploy_dc_flag": deploy_dc_flag,
                     "zone": zone, "hypervisor_type": hypervisor_type,
                     "user_logfolder_path": user_logfolder_path}
        self.parsed: dict[str, Any] = {}
        self.log_folder: str | None = None

    def init(self) -> str:
        """Parse the config; FAILED when it is missing or not JSON, or has no dbSvr (as Marvin).

        Prints real Marvin's progress lines; the reason of a failure after logging started
        goes to the log folder's runinfo.txt only, as with real Marvin.
        """
        print("\n==== Marvin Init Started ====")
        try:
            with open(self.config_file, encoding="utf-8") as handle:
                lines = [line for line in handle if not line.lstrip().startswith("#")]
            self.parsed = json.loads("".join(lines))
        except (OSError, ValueError):
            print("\n==== Marvin Init Failed ====")
            return FAILED
        self._write_log()
        failure = os.environ.get("STANDIN_INIT_ERROR", "")  # e.g. an unwritable folder
        if "dbSvr" not in self.parsed:  # cloudstackTestClient.__createDbConnection
            failure = "AttributeError: 'NoneType' object has no attribute 'dbSvr'"
        if failure:
            self._log(f"ERROR - Exception Occurred Under createTestClient\n{failure}")
            print("\n==== Marvin Init Failed ====")
            return FAILED
        print("\n==== Marvin Init Successful ====")
        record = os.environ.get("STANDIN_RECORD")
        if record:
            with open(record, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"marvin_init": self.args}) + "\n")
        return SUCCESS

    def _write_log(self) -> None:
        """As real Marvin: DIR/MarvinLogs/<time>_<random>/runinfo.txt logs each API payload."""
        folder = self.args["user_logfolder_path"]
        if not folder:
            return
        self.log_folder = os.path.join(folder, "MarvinLogs", f"standin_{os.getpid()}")
        os.makedirs(self.log_folder, exist_ok=True)
        print(f"\n==== Log Folder Path: {self.log_folder} All logs will be available here ====")
        servers = self.parsed.get("mgtSvr") or [{}]
        self._log("DEBUG - Payload: {'command': 'listZones', 'response': 'json', "
                  f"'apiKey': {servers[0].get('apiKey')!r}}}")

    def _log(self, line: str) -> None:
        if self.log_folder:
            with open(os.path.join(self.log_folder, "runinfo.txt"), "a",
                      encoding="utf-8") as handle:
                handle.write(line + "\n")

    def getLogFolderPath(self) -> str | None:
        """The run's log folder (None before logging started)."""
        return self.log_folder

    def getTestClient(self) -> TestClient:
        """The test client for the zone and hypervisor."""
        return TestClient(self.args["zone"], self.args["hypervisor_type"])

    def getParsedConfig(self) -> dict[str, Any]:
        """The parsed config."""
        return self.parsed

    def getLogger(self) -> logging.Logger:
        """The test-run logger."""
        return logging.getLogger("marvin.standin")
