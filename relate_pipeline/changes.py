"""Which meeting days changed since the last look, without trusting ``updated_at`` alone.

Two signals, combined:
- events whose ``updated_at`` moved past the watermark (edits, most late recordings);
- a fingerprint per day of the trailing window over what the listing shows (event ids,
  their ``updated_at`` and their done recordings). A recording that finishes late makes its
  event appear in the listing even when the event's ``updated_at`` stays old; the
  fingerprint of that day changes, so the day is still found.

The watermark is the newest ``updated_at`` the server reported, never the local clock, so
clock skew between us and the API cannot skip an update.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson

from relate_pipeline.client import RelateClient, day_window


def local_day(timestamp: str, tz: ZoneInfo) -> str:
    """The partition a meeting belongs to: its start converted to the pipeline's time zone."""
    return datetime.fromisoformat(timestamp).astimezone(tz).date().isoformat()


@dataclass(frozen=True)
class ChangeCursor:
    """What the sensor saw last time; ``baseline`` is false until the first look is recorded."""

    updated_after: str | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)
    baseline: bool = False

    def dumps(self) -> str:
        return orjson.dumps({"updated_after": self.updated_after, "fingerprints": self.fingerprints}).decode()

    @classmethod
    def loads(cls, text: str | None) -> ChangeCursor:
        if not text:
            return cls()
        data = orjson.loads(text)
        return cls(data.get("updated_after"), dict(data.get("fingerprints") or {}), baseline=True)


def day_fingerprints(events: Iterable[dict], tz: ZoneInfo) -> dict[str, str]:
    per_day: dict[str, list[tuple]] = defaultdict(list)
    for event in events:
        done = sorted(r["id"] for r in event.get("recordings") or [] if r.get("status") == "done")
        per_day[local_day(event["start_at"], tz)].append((event["id"], event.get("updated_at"), done))
    return {day: hashlib.sha256(orjson.dumps(sorted(items))).hexdigest()[:16] for day, items in per_day.items()}


def detect_changes(
    client: RelateClient,
    cursor: ChangeCursor,
    tz: ZoneInfo,
    today: date,
    trailing_days: int,
    start_date: date,
) -> tuple[list[date], ChangeCursor]:
    """Days between ``start_date`` and ``today`` whose meetings changed, and the next cursor.

    The first call only records a baseline: the nightly schedule, not the sensor, owns the
    initial load.
    """
    window_first = today - timedelta(days=trailing_days)
    starts_after, starts_before = day_window(window_first, today, tz)
    recent = list(client.list_calendar_events(starts_after=starts_after, starts_before=starts_before))
    fingerprints = day_fingerprints(recent, tz)
    watermark = _newest(recent, cursor.updated_after)
    if not cursor.baseline:
        return [], ChangeCursor(watermark, fingerprints, baseline=True)

    changed: set[str] = set()
    if cursor.updated_after is not None:
        since = datetime.fromisoformat(cursor.updated_after)
        # The API filters by whole seconds (the client rounds down): drop what the cursor has seen.
        listed = client.list_calendar_events(updated_after=since.timestamp())
        updated = [
            e for e in listed
            if not e.get("updated_at") or datetime.fromisoformat(e["updated_at"]) > since
        ]
        changed.update(local_day(event["start_at"], tz) for event in updated)
        watermark = _newest(updated, watermark)
    window = {(window_first + timedelta(days=n)).isoformat() for n in range(trailing_days + 1)}
    changed.update(day for day in window if fingerprints.get(day) != cursor.fingerprints.get(day))
    days = sorted(d for d in map(date.fromisoformat, changed) if start_date <= d <= today)
    return days, ChangeCursor(watermark, fingerprints, baseline=True)


def _newest(events: Iterable[dict], current: str | None) -> str | None:
    stamps = [e["updated_at"] for e in events if e.get("updated_at")]
    if current:
        stamps.append(current)
    return max(stamps, key=lambda s: datetime.fromisoformat(s)) if stamps else None


def contiguous_ranges(days: list[date]) -> list[tuple[date, date]]:
    """Group sorted days into runs of consecutive days, one Dagster range run each."""
    ranges: list[tuple[date, date]] = []
    for day in days:
        if ranges and day - ranges[-1][1] == timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges
