"""Stand-in suite: a pass, a failure, an error and a skip."""

from marvin.cloudstackTestCase import cloudstackTestCase
from nose.plugins.attrib import attr


class TestMixed(cloudstackTestCase):
    """One of each outcome."""

    @attr(tags=["advanced"], required_hardware="false")
    def test_01_passes(self):
        self.assertTrue(True)

    @attr(tags=["advanced"], required_hardware="false")
    def test_02_fails(self):
        self.assertEqual("0.0.0.0/0 via 10.1.1.1", "", "default route missing | <b>")

    @attr(tags=["advanced"], required_hardware="false")
    def test_03_errors(self):
        raise RuntimeError("router r-4-VM unreachable")

    @attr(tags=["advanced"], required_hardware="false")
    def test_04_skips(self):
        self.skipTest("no VPN in this zone")
