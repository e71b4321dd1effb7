"""Stand-in suite: fails the first time, passes on a rerun (state in a file)."""

import os

from marvin.cloudstackTestCase import cloudstackTestCase
from nose.plugins.attrib import attr


class TestFlaky(cloudstackTestCase):
    """test_01 is flaky; test_02 always fails; test_03 always passes."""

    @attr(tags=["advanced"], required_hardware="false")
    def test_01_flaky(self):
        state = os.path.join(os.environ.get("STANDIN_STATE_DIR", os.getcwd()), "flaky-attempts")
        attempts = 0
        if os.path.exists(state):
            with open(state) as handle:
                attempts = int(handle.read())
        with open(state, "w") as handle:
            handle.write(str(attempts + 1))
        self.assertGreater(attempts, 0, "VRRP election took too long")

    @attr(tags=["advanced"], required_hardware="false")
    def test_02_always_fails(self):
        self.fail("checkrouter.sh says FAULT")

    @attr(tags=["advanced"], required_hardware="false")
    def test_03_passes(self):
        self.assertTrue(True)
