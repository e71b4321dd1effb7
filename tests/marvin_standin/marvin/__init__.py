"""Stand-in for Marvin: MarvinInit and cloudstackTestCase, recording how it was initialised."""
