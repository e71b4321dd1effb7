"""Stand-in for nose: only what Marvin suites import, plus ``python -m nose``."""
