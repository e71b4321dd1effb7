"""Marvin's return codes."""

SUCCESS = "SUCCESS"
FAILED = "FAILED"
