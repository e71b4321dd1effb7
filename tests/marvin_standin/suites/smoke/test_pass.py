"""Stand-in suite: two passing tests and one the CI filter (required_hardware=false) drops."""

from marvin.cloudstackTestCase import cloudstackTestCase
from nose.plugins.attrib import attr


class TestRouterBasics(cloudstackTestCase):
    """Passes when Marvin's clients were injected."""

    @classmethod
    def setUpClass(cls):
        cls.apiclient = cls.testClient.getApiClient()

    @attr(tags=["advanced", "smoke"], required_hardware="false")
    def test_01_router_basic(self):
        self.assertIsNotNone(self.apiclient)

    @attr(tags=["advanced"], required_hardware="false")
    def test_02_router_zone(self):
        self.assertEqual(self.testClient.getZoneForTests(), self.apiclient.zone)

    @attr(tags=["advanced"], required_hardware="true")
    def test_03_needs_hardware(self):
        self.assertTrue(True)
