"""Stand-in for nose.plugins."""
