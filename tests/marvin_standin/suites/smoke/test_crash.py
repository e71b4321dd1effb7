"""Stand-in suite: the interpreter dies before the xunit file is written."""

import os
import signal

from marvin.cloudstackTestCase import cloudstackTestCase
from nose.plugins.attrib import attr


class TestCrash(cloudstackTestCase):
    """Kills its own process."""

    @attr(tags=["advanced"], required_hardware="false")
    def test_01_crashes(self):
        print("Fatal Python error: Segmentation fault", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
