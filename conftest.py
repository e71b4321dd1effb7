"""Repository root conftest: enable vrtest's pytest plugin when it is not installed."""

from importlib.metadata import entry_points


def _plugin_installed() -> bool:
    return any(ep.name == "vrtest" for ep in entry_points(group="pytest11"))


pytest_plugins = [] if _plugin_installed() else ["vrtest.pytest_plugin"]
