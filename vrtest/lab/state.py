"""The lab state file: every namespace, link, mount and process, recorded before it is made.

``<state_dir>/<prefix>/state.json`` is rewritten atomically after every change,
so ``vrtest lab down`` can remove exactly what a crashed or half-finished ``up`` left.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vrtest.errors import ConfigError
from vrtest.lab.netns import ProcessRecord

STATE_VERSION = 1


class LabState:
    """The recorded resources of one lab, persisted to ``state.json`` on every change."""

    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = data or {
            "version": STATE_VERSION,
            "phase": "empty",
            "namespaces": [],
            "links": [],
            "mounts": [],
            "processes": {},
            "faults": {},
        }
        self._lock = threading.RLock()

    @classmethod
    def load(cls, path: Path) -> LabState:
        """Read the state file, or return an empty state when there is none."""
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read the lab state: {exc}",
                path=str(path),
                hint="remove the lab's namespaces by hand, then the file",
            ) from None
        return cls(path, data)

    @property
    def exists(self) -> bool:
        """True when anything has been recorded (a lab, or part of one, may exist)."""
        return self.path.exists()

    @property
    def phase(self) -> str:
        """``starting`` while ``up`` runs, ``up`` when it finished, ``stopping`` in ``down``."""
        return str(self.data.get("phase", "empty"))

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` and save."""
        with self._lock:
            self.data[key] = value
            self.save()

    def record(self, kind: str, *items: Any) -> None:
        """Append ``items`` to the ``kind`` list (namespaces, links, mounts), then save."""
        with self._lock:
            known = self.data.setdefault(kind, [])
            known.extend(item for item in items if item not in known)
            self.save()

    def forget(self, kind: str, item: Any) -> None:
        """Remove ``item`` from the ``kind`` list once it is really gone, then save."""
        with self._lock:
            known = self.data.setdefault(kind, [])
            if item in known:
                known.remove(item)
                self.save()

    def record_process(self, key: str, record: ProcessRecord) -> None:
        """Remember a started process under ``key`` (e.g. ``r-4-VM/sshd``)."""
        with self._lock:
            self.data.setdefault("processes", {})[key] = dict(record)
            self.save()

    def processes(self) -> dict[str, ProcessRecord]:
        """Every recorded process by key."""
        return {
            key: ProcessRecord(pid=int(value["pid"]), start=int(value["start"]))
            for key, value in self.data.get("processes", {}).items()
        }

    def forget_process(self, key: str) -> None:
        """Drop a process record after it was stopped."""
        with self._lock:
            if self.data.get("processes", {}).pop(key, None) is not None:
                self.save()

    def faults(self, router: str) -> list[str]:
        """Faults currently injected into ``router``."""
        return list(self.data.get("faults", {}).get(router, []))

    def set_faults(self, router: str, faults: list[str]) -> None:
        """Replace the list of faults injected into ``router``."""
        all_faults = self.data.setdefault("faults", {})
        if faults:
            all_faults[router] = sorted(set(faults))
        else:
            all_faults.pop(router, None)
        self.save()

    def save(self) -> None:
        """Write atomically (temporary file, then rename): a crash never leaves half a file."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            with open(temporary, "w") as handle:
                json.dump(self.data, handle, indent=1, sort_keys=True)
            os.replace(temporary, self.path)


@contextlib.contextmanager
def locked(lab_dir: Path) -> Iterator[None]:
    """Hold the lab's lock so two ``vrtest lab`` commands never change one lab at once."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    with open(lab_dir / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"another vrtest lab command is changing {lab_dir}", hint="wait for it to finish"
            ) from None
        yield
