"""Talking to CloudStack: API request signing and (later) discovery."""
