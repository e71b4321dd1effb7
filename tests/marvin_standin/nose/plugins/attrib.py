"""``from nose.plugins.attrib import attr``, as Marvin suites use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def attr(*args: str, **kwargs: Any) -> Callable[[Any], Any]:
    """Set attributes on a test function or class (nose's semantics)."""

    def wrap(obj: Any) -> Any:
        for name in args:
            setattr(obj, name, True)
        for name, value in kwargs.items():
            setattr(obj, name, value)
        return obj

    return wrap
