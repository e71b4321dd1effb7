"""``python -m nose ...``: the stand-in runner."""

import sys

from nose.standin_runner import main

sys.exit(main(sys.argv[1:]))
