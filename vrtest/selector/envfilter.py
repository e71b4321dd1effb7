"""Filter a selection by what an environment can verify (real VRs, network kinds, nose attrs).

This mirrors the nose ``-a`` filter the runner builds from the descriptor
(``tags=T1,...,required_hardware=V``; comma = AND): a simulator env only gets tests
with ``required_hardware=false`` or without the attribute (nose reads a missing one as False;
checked with pynose 1.5.5), as upstream CI; a hardware env
(``marvin.required_hardware: true``) runs every tagged test, as Trillian does. Everything dropped is
listed in the selection's ``not_verified`` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vrtest.environment import Environment
from vrtest.environment.loader import find_descriptor, inspect_descriptor
from vrtest.errors import UsageError
from vrtest.selector.catalog import TestInfo

NETWORK_KINDS = ("isolated", "vpc", "redundant", "vpn")
CHECK_NEEDS = {"redundant-state": "redundant", "vpn": "vpn"}
_KIND_WORDS = {"redundant": ("redundant", "rvr", "rvpc"), "vpn": ("vpn",), "vpc": ("vpc",)}


@dataclass(frozen=True)
class Capabilities:
    """What an environment can verify, as the selector needs it."""

    name: str
    real_vrs: bool
    network_kinds: frozenset[str] = frozenset(NETWORK_KINDS)
    required_hardware: bool | None = None  # marvin.required_hardware; False = rh=false only
    tags: tuple[str, ...] = ()  # marvin.tags; a test needs all of them (nose -a ANDs)

    @property
    def hardware_filter(self) -> str | None:
        """The ``required_hardware`` value nose will require here ("false"), or None (no filter)."""
        if not self.real_vrs or self.required_hardware is False:
            return "false"
        return None


def from_environment(env: Environment) -> Capabilities:
    """Capabilities of a loaded :class:`vrtest.environment.Environment`."""
    return Capabilities(
        name=env.name,
        real_vrs=env.capabilities.real_vrs,
        network_kinds=frozenset(env.capabilities.network_kinds),
        required_hardware=env.marvin.required_hardware,
        tags=tuple(env.marvin.tags),
    )


def load_capabilities(ref: str, envs_dir: Path | None = None) -> Capabilities:
    """Capabilities of env ``ref``, validated by the environment loader; no secret is needed."""
    inspection = inspect_descriptor(find_descriptor(ref, envs_dir=envs_dir))
    if inspection.errors:
        raise inspection.errors[0]
    if inspection.environment is None:
        raise UsageError(f"environment {ref!r} could not be read", hint="run vrtest env validate")
    return from_environment(inspection.environment)


def test_kinds(test: TestInfo, suite_path: str) -> set[str]:
    """Network kinds a test needs, from its suite, class and method names."""
    words = f"{suite_path} {test.cls} {test.name}".lower()
    return {kind for kind, keys in _KIND_WORDS.items() if any(key in words for key in keys)}


def why_not_runnable(test: TestInfo, suite_path: str, caps: Capabilities) -> str | None:
    """Why ``test`` cannot be verified in ``caps``'s environment, or None when it can."""
    wanted = caps.hardware_filter
    # nose reads a missing required_hardware as False, which equals "false": such tests run.
    if wanted and (test.required_hardware or "false") != wanted:
        value = test.required_hardware
        if not caps.real_vrs:
            return (f"required_hardware={value}: {caps.name} runs only "
                    "required_hardware=false tests (no real VRs)")
        return (f"required_hardware={value}: {caps.name} runs only required_hardware=false "
                "tests (marvin.required_hardware: false)")
    missing_tags = [tag for tag in caps.tags if tag not in test.tags]
    if missing_tags:
        return (f"tags {list(test.tags)} lack {', '.join(missing_tags)} "
                f"({caps.name}'s marvin.tags; nose -a ANDs them)")
    missing = sorted(test_kinds(test, suite_path) - caps.network_kinds)
    if missing:
        return f"needs {', '.join(missing)} networks, which {caps.name} does not offer"
    return None


def check_not_runnable(check: str, caps: Capabilities) -> str | None:
    """Why VR check ``check`` cannot run in ``caps``'s environment, or None."""
    if not caps.real_vrs:
        return f"{caps.name} has no real VRs to check over SSH"
    needed = CHECK_NEEDS.get(check)
    if needed and needed not in caps.network_kinds:
        return f"needs {needed} networks, which {caps.name} does not offer"
    return None


def group_reasons(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Group (test id, reason) pairs by reason, keeping order."""
    grouped: dict[str, list[str]] = {}
    for test_id, reason in items:
        grouped.setdefault(reason, []).append(test_id)
    return grouped
