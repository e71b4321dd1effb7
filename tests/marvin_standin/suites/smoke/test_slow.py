"""Stand-in suite: takes a while (for interrupting a run mid-suite)."""

import os
import time

from marvin.cloudstackTestCase import cloudstackTestCase
from nose.plugins.attrib import attr


class TestSlow(cloudstackTestCase):
    """Marks that it started, then sleeps."""

    @attr(tags=["advanced"], required_hardware="false")
    def test_01_slow(self):
        state = os.environ.get("STANDIN_STATE_DIR", os.getcwd())
        with open(os.path.join(state, "slow-started"), "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(float(os.environ.get("STANDIN_SLOW_SECONDS", "60")))
