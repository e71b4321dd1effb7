"""Narrow a suite run to chosen test methods while Marvin still injects its clients.

Real Marvin's nose plugin injects ``testClient``/``apiclient`` into a class only from its
``loadTestsFromTestCase`` hook; nose skips that hook for a ``file:Class.method`` target, so
``setUpClass`` fails with ``'NoneType' object has no attribute 'getApiClient'``. A narrowed
run therefore names classes (``file:Class``) and picks the methods with nose's ``-m``
regex (:func:`method_pattern`). ``ddt``-expanded methods (``name_1_value``) match their
source name. Standard library only: the pytest bridge imports this inside Marvin's Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def split_names(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """``Class.method`` names -> (classes in first-seen order, methods); bare names are classes."""
    classes: list[str] = []
    methods: list[str] = []
    for name in names:
        cls, _, method = name.partition(".")
        if cls not in classes:
            classes.append(cls)
        if method and method not in methods:
            methods.append(method)
    return classes, methods


def method_pattern(methods: Sequence[str]) -> str:
    """A regex matching exactly these method names or their ddt expansions."""
    alternatives = "|".join(re.escape(m) for m in sorted(set(methods)))
    return rf"^(?:{alternatives})(?:_\d+(?:_.*)?)?$"


def nose_selection(names: Sequence[str]) -> tuple[list[str], str | None]:
    """Class targets and the ``-m`` pattern; no pattern when a whole class was asked for."""
    classes, methods = split_names(names)
    whole_class = any("." not in name for name in names)
    return classes, None if whole_class or not methods else method_pattern(methods)


def wanted_test(names: Sequence[str], cls_name: str, method: str) -> bool:
    """True when ``Class.method`` (or its ddt expansion, or its whole class) was asked for."""
    for name in names:
        cls, _, wanted = name.partition(".")
        if cls != cls_name:
            continue
        if not wanted or re.match(method_pattern([wanted]), method):
            return True
    return False
