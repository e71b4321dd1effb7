"""Stand-in suite: the management server in Marvin's config answers HTTP (the lab's API)."""

import urllib.error
import urllib.request

from marvin.cloudstackTestCase import cloudstackTestCase
from nose.plugins.attrib import attr


class TestLabApiAnswers(cloudstackTestCase):
    """An unsigned call gets CloudStack's 401 body: the server is up (not connection refused)."""

    @attr(tags=["advanced"], required_hardware="false")
    def test_01_api_answers(self):
        server = self.config["mgtSvr"][0]
        url = f"http://{server['mgtSvrIp']}:{server['port']}/client/api?command=listZones"
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(url, timeout=5)
        self.assertEqual(raised.exception.code, 401)
