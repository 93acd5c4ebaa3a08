"""Which day a meeting belongs to, and the days of a range: the one place a timestamp becomes a partition.

A timestamp the API serves without an offset is read as UTC, here as in the flattened tables
(Arrow's cast in ``columns.timestamp_array`` does the same), so a meeting lands on the
day its ``start_at`` column says, whatever the time zone of the machine running the pipeline.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def instant(timestamp: str) -> datetime:
    """An ISO-8601 timestamp as an aware datetime; without an offset it is UTC."""
    parsed = datetime.fromisoformat(timestamp.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def local_day(timestamp: str, tz: ZoneInfo) -> str:
    """The partition a meeting belongs to: its start converted to the pipeline's time zone."""
    return instant(timestamp).astimezone(tz).date().isoformat()


def days_between(first_day: date, last_day: date) -> list[str]:
    """Every day from ``first_day`` to ``last_day`` inclusive, as partition keys."""
    return [(first_day + timedelta(days=n)).isoformat() for n in range((last_day - first_day).days + 1)]
