"""One masking layer for secrets: every byte vrtest prints or writes goes through it.

Environment descriptors register each resolved secret here; the console,
the logging filter, the error handler and the report writers call
:func:`mask` before anything leaves the process.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import threading
from collections.abc import Iterator

MASK = "****"
_MIN_SECRET_LENGTH = 3


class SecretMasker:
    """Replaces every registered secret value with ``****``."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str) -> None:
        """Remember a secret value (and its JSON/HTML-escaped forms) so it is masked from now on."""
        if value and len(value) >= _MIN_SECRET_LENGTH:
            with self._lock:
                self._secrets.update(_escaped_forms(value))

    def mask(self, text: str) -> str:
        """Return ``text`` with every known secret replaced, longest first."""
        if not self._secrets or not text:
            return text
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def clear(self) -> None:
        """Forget every secret (used when a process or test starts anew)."""
        with self._lock:
            self._secrets.clear()

    def __len__(self) -> int:
        return len(self._secrets)


def _escaped_forms(value: str) -> set[str]:
    """The value as written raw, inside a JSON string and in HTML text or attributes."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
            html.escape(value), html.escape(value, quote=False)}


_MASKER = SecretMasker()


def register_secret(value: str) -> None:
    """Register a secret with the process-wide masker."""
    _MASKER.register(value)


def mask(text: str) -> str:
    """Mask every registered secret in ``text``."""
    return _MASKER.mask(text)


def masker() -> SecretMasker:
    """The process-wide masker."""
    return _MASKER


@contextlib.contextmanager
def isolated_secrets() -> Iterator[SecretMasker]:
    """Run a block with an empty set of secrets, restoring the previous set afterwards."""
    saved = set(_MASKER._secrets)
    _MASKER.clear()
    try:
        yield _MASKER
    finally:
        _MASKER.clear()
        for value in saved:
            _MASKER.register(value)


class MaskingFilter(logging.Filter):
    """A logging filter that masks secrets in the fully formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
