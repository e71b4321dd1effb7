"""The working record the run's stages share."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from vrtest.console import Console
from vrtest.environment import Environment
from vrtest.runner.options import RunOptions
from vrtest.runner.plan import Plan
from vrtest.runner.process import ChildRegistry
from vrtest.runner.store import RunStore


@dataclass
class RunState:
    """What the stages have produced so far (the pipeline's working record)."""

    options: RunOptions
    env: Environment
    store: RunStore
    console: Console
    selection: dict[str, Any] = field(default_factory=dict)
    plan: Plan = field(default_factory=Plan)
    meta: dict[str, Any] = field(default_factory=dict)
    registry: ChildRegistry = field(default_factory=ChildRegistry)


def utc_now() -> str:
    """ISO 8601 UTC timestamp."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
