"""``cloudstackTestCase``: a unittest.TestCase whose clients are injected by the runner."""

from __future__ import annotations

import unittest
from typing import Any


class cloudstackTestCase(unittest.TestCase):
    """Base class of every Marvin suite."""

    clstestclient: Any = None
    testClient: Any = None
    config: Any = None
    hypervisor: Any = None

    @classmethod
    def getClsTestClient(cls) -> Any:
        """The injected test client."""
        return cls.clstestclient

    @classmethod
    def getClsConfig(cls) -> Any:
        """The injected parsed config."""
        return cls.config
