"""The pytest plugin, loaded explicitly with ``-p vrtest.marvin_bridge.plugin``.

It does for pytest what Marvin's nose plugin does: initialise Marvin with
``marvin.marvinInit.MarvinInit`` (config, zone, hypervisor, log folder), inject the test client,
API client, parsed config, hypervisor and logger into every ``cloudstackTestCase`` class before
its ``setUpClass`` runs, and apply nose's ``-a`` attribute filter at collection.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from vrtest.marvin_bridge.attrs import method_lookup, parse_groups, wanted
from vrtest.marvin_bridge.narrow import wanted_test

_STATE_KEY = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Marvin's options (the nose plugin's, prefixed to fit pytest's namespace)."""
    group = parser.getgroup("marvin", "CloudStack Marvin bridge (vrtest)")
    group.addoption("--marvin-config", help="Marvin config file (JSON .cfg)")
    group.addoption("--marvin-zone", default=None, help="zone name, as nose's --zone")
    group.addoption("--marvin-hypervisor", default=None, help="hypervisor, as nose's --hypervisor")
    group.addoption("--marvin-log-folder", default=None, help="folder for Marvin's logs")
    group.addoption("--marvin-deploy", action="store_true", help="deploy the data center first")
    group.addoption("--marvin-attr", action="append", default=[], metavar="EXPR",
                    help="nose -a filter, e.g. tags=advanced,required_hardware=false "
                         "(comma = AND; repeat = OR)")
    group.addoption("--marvin-test", action="append", default=[], metavar="CLASS[.METHOD]",
                    help="run only this test (ddt expansions of METHOD too); repeatable")


def pytest_configure(config: pytest.Config) -> None:
    """Initialise Marvin once per session."""
    config.stash[_STATE_KEY] = {}
    config_file = config.getoption("--marvin-config")
    if not config_file:
        return
    marvin_init = importlib.import_module("marvin.marvinInit")  # Marvin is the user's

    hypervisor = config.getoption("--marvin-hypervisor")
    deploy = config.getoption("--marvin-deploy") or None
    marvin = marvin_init.MarvinInit(
        config_file, deploy_dc_flag=deploy, zone=config.getoption("--marvin-zone"),
        hypervisor_type=hypervisor, user_logfolder_path=config.getoption("--marvin-log-folder"))
    if marvin.init() == "FAILED":
        folder = getattr(marvin, "getLogFolderPath", lambda: None)()
        where = f"; its log: {folder}/runinfo.txt" if folder else ""
        raise pytest.UsageError(f"Marvin could not initialise from {config_file}{where}")
    config.stash[_STATE_KEY] = {
        "client": marvin.getTestClient(),
        "config": marvin.getParsedConfig(),
        "logger": marvin.getLogger(),
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop tests the ``-a`` filter rejects; inject Marvin's clients into the classes kept."""
    groups = parse_groups(config.getoption("--marvin-attr"))
    names = config.getoption("--marvin-test")
    kept, dropped = [], []
    for item in items:
        function, cls = getattr(item, "function", None), getattr(item, "cls", None)
        chosen = not names or wanted_test(names, getattr(cls, "__name__", ""), item.name)
        if chosen and wanted(groups, method_lookup(function, cls)):
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    state = config.stash.get(_STATE_KEY, {})
    if state:
        classes = {getattr(item, "cls", None) for item in kept}
        for cls in classes:
            if isinstance(cls, type):
                inject_clients(cls, state)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Name the test client after the test, as Marvin's nose plugin does in ``beforeTest``."""
    state = item.config.stash.get(_STATE_KEY, {})
    cls = getattr(item, "cls", None)
    if state and cls is not None:
        state["client"].identifier = f"{cls.__name__}-{item.name}"


def inject_clients(cls: type, state: dict[str, Any]) -> None:
    """Set exactly what Marvin's nose plugin sets on a test class (``_injectClients``)."""
    client, logger = state["client"], state["logger"]
    for name, method in (("debug", "debug"), ("info", "info"), ("warn", "warning"),
                         ("error", "error")):
        setattr(cls, name, getattr(logger, method))
    cls.testClient = client  # type: ignore[attr-defined]
    cls.config = state["config"]  # type: ignore[attr-defined]
    if getattr(client, "identifier", "") is None:
        client.identifier = cls.__name__
    cls.clstestclient = client  # type: ignore[attr-defined]
    if hasattr(cls, "user") and hasattr(client, "getUserApiClient"):
        client.getUserApiClient(cls.UserName, cls.DomainName, cls.AcctType)  # type: ignore[attr-defined]
