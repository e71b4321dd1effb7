"""nose's ``-a`` attribute filter: ``-a tags=advanced,required_hardware=false``.

Within one expression commas AND the conditions; repeating ``-a`` ORs the expressions. Exactly
as nose's attrib plugin (checked against pynose 1.5.5 on CloudStack's suites): a missing
attribute reads as ``False``, so it *equals* ``false`` (``required_hardware=false`` keeps
methods without it, e.g. component/maint/test_redundant_router.py); a list or tuple matches
when it contains the value; other values compare as lower-case strings. ``key`` alone requires
a truthy attribute and ``!key`` a missing or falsy one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Condition = tuple[str, str | bool]
Group = tuple[Condition, ...]


def parse_groups(expressions: Sequence[str]) -> list[Group]:
    """Each ``-a`` value -> a group of (key, value) conditions."""
    groups = []
    for expression in expressions:
        conditions: list[Condition] = []
        for part in expression.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" in part:
                key, value = part.split("=", 1)
                conditions.append((key.strip(), value.strip()))
            elif part.startswith("!"):
                conditions.append((part[1:].strip(), False))
            else:
                conditions.append((part, True))
        if conditions:
            groups.append(tuple(conditions))
    return groups


def _matches(condition: Condition, lookup: Callable[[str], Any]) -> bool:
    key, wanted = condition
    actual = lookup(key)
    if wanted is True:
        return bool(actual)
    if wanted is False:
        return not actual
    if type(actual) in (list, tuple):
        return str(wanted).lower() in [str(item).lower() for item in actual]
    return wanted == actual or str(wanted).lower() == str(actual).lower()


def wanted(groups: Sequence[Group], lookup: Callable[[str], Any]) -> bool:
    """True when no filter is given or any group has all its conditions met."""
    if not groups:
        return True
    return any(all(_matches(c, lookup) for c in group) for group in groups)


def method_lookup(function: Any, cls: Any) -> Callable[[str], Any]:
    """Attribute lookup as nose's get_method_attr: the method, then its class, else False."""

    def lookup(key: str) -> Any:
        if hasattr(function, key):
            return getattr(function, key)
        return getattr(cls, key, False) if cls is not None else False

    return lookup
