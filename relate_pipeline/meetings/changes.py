"""Which meeting days changed since the last look, without trusting ``updated_at`` alone.

Three signals, combined:
- events whose ``updated_at`` moved past the watermark (edits, reschedules, most late
  recordings), on the day they start now and on every day the raw store still holds them
  (a rescheduled meeting changes two days);
- a fingerprint per day of the trailing window over what the listing shows (event ids,
  their ``updated_at`` and their done recordings). A recording that finishes late makes its
  event appear in the listing even when the event's ``updated_at`` stays old; the
  fingerprint of that day changes, so the day is still found;
- for a reconcile, the same fingerprint of every day of history, listed again, against the
  fingerprint of what the raw store holds for that day: moves and deletions anywhere show up
  at the cost of the listing alone.

Each changed day comes with its fingerprint, so a run key built from them differs whenever
what changed differs, even when no ``updated_at`` moved. The watermark is the newest
``updated_at`` the server reported, never the local clock, so clock skew between us and the
API cannot skip an update.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import orjson

from relate_pipeline.client import RelateClient, day_window
from relate_pipeline.governance.policy import KEEP_EVERYTHING, DataPolicy
from relate_pipeline.meetings.days import days_between, instant, local_day
from relate_pipeline.lake import Lake
from relate_pipeline.meetings.raw_store import raw_event_bodies


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


def fingerprint(events: Iterable[dict]) -> str:
    """What a listing shows of a day's meetings: event ids, their ``updated_at``, their done recordings."""
    items = []
    for event in events:
        done = sorted(r["id"] for r in event.get("recordings") or [] if isinstance(r, dict) and r.get("status") == "done")
        items.append((event["id"], event.get("updated_at"), done))
    return hashlib.sha256(orjson.dumps(sorted(items))).hexdigest()[:16]


def day_fingerprints(events: Iterable[dict], tz: ZoneInfo) -> dict[str, str]:
    per_day: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        per_day[local_day(event["start_at"], tz)].append(event)
    return {day: fingerprint(items) for day, items in per_day.items()}


def detect_changes(
    client: RelateClient,
    cursor: ChangeCursor,
    tz: ZoneInfo,
    today: date,
    trailing_days: int,
    start_date: date,
    held: Mapping[str, Iterable[str]] | None = None,
) -> tuple[dict[date, str], ChangeCursor]:
    """Days between ``start_date`` and ``today`` whose meetings changed, each with its fingerprint,
    and the next cursor. ``held`` maps event ids to the days the raw store holds them on.

    The first call only records a baseline: the nightly schedule, not the sensor, owns the
    initial load.
    """
    window_first = today - timedelta(days=trailing_days)
    starts_after, starts_before = day_window(window_first, today, tz)
    recent = list(client.list_calendar_events(starts_after=starts_after, starts_before=starts_before))
    fingerprints = day_fingerprints(recent, tz)
    watermark = _newest(recent, cursor.updated_after)
    if not cursor.baseline:
        return {}, ChangeCursor(watermark, fingerprints, baseline=True)

    changed: dict[str, str] = {}
    window = set(days_between(window_first, today))
    if cursor.updated_after is not None:
        since = instant(cursor.updated_after)
        # The API filters by whole seconds (the client rounds down): drop what the cursor has seen.
        updated = [
            event
            for event in client.list_calendar_events(updated_after=since.timestamp())
            if not event.get("updated_at") or instant(event["updated_at"]) > since
        ]
        changed.update(day_fingerprints(updated, tz))
        for event in updated:
            new_day = local_day(event["start_at"], tz)
            for old_day in (held or {}).get(event["id"], ()):
                if old_day != new_day:
                    changed.setdefault(old_day, fingerprint([{"id": event["id"], "updated_at": event.get("updated_at")}]))
        watermark = _newest(updated, watermark)
    for day in window:
        if fingerprints.get(day) != cursor.fingerprints.get(day):
            changed[day] = fingerprints.get(day, "no events")
    for day in window & set(changed):
        changed[day] = fingerprints.get(day, "no events")
    days = {d: changed[d.isoformat()] for d in map(date.fromisoformat, changed) if start_date <= d <= today}
    return dict(sorted(days.items())), ChangeCursor(watermark, fingerprints, baseline=True)


def reconcile_changes(
    client: RelateClient, raw: Lake, tz: ZoneInfo, first: date, last: date, policy: DataPolicy = KEEP_EVERYTHING
) -> dict[date, str]:
    """Days from ``first`` to ``last`` whose listing today differs from what the raw store holds.

    One paginated listing of the whole span, no detail fetch: an event moved or deleted
    anywhere in history changes the fingerprint of every day it left or reached. Events the
    policy does not admit (a forgotten attendee) are not in the raw store, so they are left out
    of the listing too, and a day does not differ forever because of them.
    """
    starts_after, starts_before = day_window(first, last, tz)
    listing = client.list_calendar_events(starts_after=starts_after, starts_before=starts_before)
    listed = day_fingerprints((event for event in listing if policy.admits(event)), tz)
    held = set(raw.partitions("raw_calendar_events"))
    changed = {}
    for day in days_between(first, last):
        stored = fingerprint(orjson.loads(body) for body in raw_event_bodies(raw, day)) if day in held else None
        now = listed.get(day)
        if now != stored and not (now is None and stored == fingerprint([])):
            changed[date.fromisoformat(day)] = now or "no events"
    return changed


def run_key_digest(fingerprints: Mapping[date, str]) -> str:
    """A short digest of days and their fingerprints: equal only when the same days changed the same way."""
    items = sorted((day.isoformat(), value) for day, value in fingerprints.items())
    return hashlib.sha256(orjson.dumps(items)).hexdigest()[:12]


def _newest(events: Iterable[dict], current: str | None) -> str | None:
    stamps = [e["updated_at"] for e in events if e.get("updated_at")]
    if current:
        stamps.append(current)
    return max(stamps, key=instant) if stamps else None


def contiguous_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Group sorted days into runs of consecutive days, one Dagster range run each."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and day - ranges[-1][1] == timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges
