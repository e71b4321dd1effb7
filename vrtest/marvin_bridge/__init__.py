"""A pytest bridge for Marvin: ``pytest -p vrtest.marvin_bridge.plugin --marvin-config CFG``."""
