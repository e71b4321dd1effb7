"""Parse ``--since`` values: a date, an ISO timestamp, or an age such as ``7d`` or ``12h``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from vrtest.errors import UsageError

_AGE = re.compile(r"^(\d+)([dhw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(value: str, *, now: datetime | None = None) -> str:
    """The UTC ``YYYY-MM-DDTHH:MM:SSZ`` lower bound ``value`` names."""
    text = value.strip()
    age = _AGE.match(text)
    if age:
        moment = (now or datetime.now(timezone.utc)) - int(age.group(1)) * _UNITS[age.group(2)]
    else:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"--since {value!r} is not a date, timestamp or age",
                hint="use e.g. 2026-11-01, 2026-11-01T02:00:00Z, 7d or 12h",
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
