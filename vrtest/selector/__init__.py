"""The suite selector: changed files -> VR areas -> Marvin suites and VR checks, explained.

Pipeline: a change source builds a :class:`ChangeSet`; :func:`select` matches it
against the rules in ``suites/map.yaml`` and the Marvin catalog and returns a
frozen :class:`Selection` that ``vrtest run`` saves as ``selection.json``.
"""

from __future__ import annotations

from vrtest.selector.changes import ChangeSet
from vrtest.selector.engine import select
from vrtest.selector.selection import Selection

__all__ = ["ChangeSet", "Selection", "select"]
