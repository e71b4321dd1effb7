"""Stand-in suite: hangs, with a grandchild process in its group."""

import os
import subprocess
import time

from marvin.cloudstackTestCase import cloudstackTestCase
from nose.plugins.attrib import attr


class TestHang(cloudstackTestCase):
    """Waits far longer than any test's suite timeout."""

    @attr(tags=["advanced"], required_hardware="false")
    def test_01_hangs(self):
        child = subprocess.Popen(["sleep", "600"])
        state = os.environ.get("STANDIN_STATE_DIR", os.getcwd())
        with open(os.path.join(state, "hang-grandchild.pid"), "w") as handle:
            handle.write(str(child.pid))
        print("waiting for the router to answer", flush=True)
        time.sleep(600)
