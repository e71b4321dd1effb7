"""``vrtest run``: plan, execute Marvin suites and VR checks, record every result as it finishes."""
