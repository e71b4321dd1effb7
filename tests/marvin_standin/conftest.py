"""The stand-in's suites and fake packages are run by the stand-in, never collected here."""

collect_ignore_glob = ["suites/*", "nose/*", "marvin/*", "bin/*"]
