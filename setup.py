"""Build hook: ship suites/ and environments/ inside the wheel (see vrtest/bundled.py)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("suites", "environments")


class BuildPyWithShippedData(build_py):  # type: ignore[misc]
    """Copy the shipped data trees into vrtest/_bundled of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        root = Path(__file__).resolve().parent
        for name in SHIPPED:
            shutil.copytree(root / name, Path(self.build_lib) / "vrtest" / "_bundled" / name,
                            dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithShippedData})
