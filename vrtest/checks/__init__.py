"""VR checks: each is commands + a pure parser + a verdict with evidence (see registry.py)."""
