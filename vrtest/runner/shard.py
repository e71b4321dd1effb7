"""``--shard K/N``: a deterministic split of suites, balanced by earlier durations when known."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

from vrtest.errors import UsageError

_SHARD = re.compile(r"^(\d+)/(\d+)$")
DEFAULT_DURATION = 60.0  # seconds assumed for a suite never timed before


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; K counts from 1."""
    match = _SHARD.match(text.strip())
    if not match:
        raise UsageError(f"--shard {text!r} is not K/N", hint="e.g. --shard 1/4")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N",
                         hint="e.g. --shard 1/4 ... --shard 4/4")
    return index, total


def stable_key(name: str) -> str:
    """A platform-independent ordering key (hash of the name)."""
    return hashlib.sha256(name.encode()).hexdigest()


def assign(names: Sequence[str], total: int, durations: dict[str, float]) -> list[list[str]]:
    """Greedy longest-first split into ``total`` buckets; ties broken by a stable hash."""
    buckets: list[list[str]] = [[] for _ in range(total)]
    loads = [0.0] * total
    weighted = sorted(names, key=lambda n: (-durations.get(n, DEFAULT_DURATION), stable_key(n)))
    for name in weighted:
        target = min(range(total), key=lambda i: (loads[i], i))
        buckets[target].append(name)
        loads[target] += durations.get(name, DEFAULT_DURATION)
    return buckets


def select_shard(names: Sequence[str], index: int, total: int,
                 durations: dict[str, float]) -> list[str]:
    """The names in shard ``index`` of ``total``, in their original order."""
    chosen = set(assign(names, total, durations)[index - 1])
    return [name for name in names if name in chosen]


def load_durations(path: Path | None) -> dict[str, float]:
    """Suite durations from a JSON map ``{suite: seconds}`` or an earlier results.jsonl."""
    if path is None or not path.exists():
        return {}
    if path.is_dir():
        path = path / "results.jsonl"
        if not path.exists():
            return {}
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return _durations_from_results(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: durations file is not JSON ({exc.msg})",
                         hint="give {\"suite path\": seconds, ...} or a results.jsonl") from exc
    try:
        return {str(k): float(v) for k, v in data.items()}
    except (AttributeError, TypeError, ValueError) as exc:
        raise UsageError(f"{path}: durations file is not a map of suite to seconds",
                         hint="give {\"suite path\": seconds, ...} or a results.jsonl") from exc


def _durations_from_results(text: str) -> dict[str, float]:
    durations: dict[str, float] = {}
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("kind") == "marvin":
            durations[record["name"]] = float(record.get("duration", 0.0))
    return durations
