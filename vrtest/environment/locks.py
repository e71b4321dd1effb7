"""The name of the lock that keeps one run at a time in a zone (Jenkins Lockable Resources).

Every job that runs against a zone takes this same resource: the PR job, the nightly shards and
the matrix cells, so a PR run and a nightly never share a zone at once.
"""

from __future__ import annotations

from vrtest.environment.model import Environment
from vrtest.naming import safe_name


def zone_lock_name(env_name: str, zone: str) -> str:
    """``vrtest-zone-<env>-<zone>``, reduced to characters safe in any Jenkins resource name."""
    return safe_name(f"vrtest-zone-{env_name}-{zone or 'default'}")


def lock_zone(env: Environment) -> str:
    """The zone runs of ``env`` are serialised on: its first ("" when it names none)."""
    return env.zones[0].name if env.zones else ""


def environment_lock_name(env: Environment) -> str:
    """The lock of that zone."""
    return zone_lock_name(env.name, lock_zone(env))
