"""Incremental extraction of meeting days: list events, fetch only what changed, keep the raw bytes.

A range of days is listed once (one paginated listing, not one per day), the done recordings
are fanned out concurrently, and each day's raw responses are written as one partition of the
raw store. A recording is downloaded again only when it is new to that day, its event's
``updated_at`` moved, or its last fetch failed; everything else is carried over from the
previous raw partition. Flattening reads only the raw store, so it can be re-run without
touching the API.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import orjson
import pyarrow as pa

from relate_pipeline.client import AsyncRelateClient, NotFoundError, RelateError, day_window
from relate_pipeline.flatten import (
    ListedRecording,
    RecordingFetch,
    flatten_events,
    flatten_raw_recordings,
    listed_done_recordings,
    raw_events_table,
    raw_recordings_table,
)
from relate_pipeline.lake import Lake
from relate_pipeline.tables import empty_table


@dataclass
class DayExtract:
    """What one day's extraction found and did; reported as Dagster metadata."""

    events: int = 0
    done_listed: int = 0
    fetched: int = 0
    reused: int = 0
    missing: int = 0


@dataclass
class RangeExtract:
    days: dict[str, DayExtract] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days.values())


def local_day(timestamp: str, tz: ZoneInfo) -> str:
    """The partition a meeting belongs to: its start converted to the pipeline's time zone."""
    return datetime.fromisoformat(timestamp).astimezone(tz).date().isoformat()


def days_between(first_day: date, last_day: date) -> list[str]:
    return [(first_day + timedelta(days=n)).isoformat() for n in range((last_day - first_day).days + 1)]


def _previous_fetches(raw: Lake, day: str) -> dict[str, RecordingFetch]:
    table = raw.read_partition("raw_recordings", day)
    if table is None:
        return {}
    return {row["recording_id"]: RecordingFetch(**row) for row in table.to_pylist()}


def _unchanged(previous: RecordingFetch | None, listed: ListedRecording) -> bool:
    return (
        previous is not None
        and previous.http_status == 200
        and previous.event_updated_at == listed.event_updated_at
    )


async def extract_meeting_days(
    client: AsyncRelateClient,
    first_day: date,
    last_day: date,
    tz: ZoneInfo,
    raw: Lake,
) -> RangeExtract:
    """List the days' events, fetch changed recording details, and replace each day's raw partitions."""
    starts_after, starts_before = day_window(first_day, last_day, tz)
    events_by_day: dict[str, list[dict]] = defaultdict(list)
    async for event in client.list_calendar_events(starts_after=starts_after, starts_before=starts_before):
        events_by_day[local_day(event["start_at"], tz)].append(event)

    days = days_between(first_day, last_day)
    report = RangeExtract({day: DayExtract(events=len(events_by_day[day])) for day in days})
    fetches: dict[str, list[RecordingFetch]] = {day: [] for day in days}
    wanted: dict[str, tuple[str, ListedRecording]] = {}
    for day in days:
        previous = _previous_fetches(raw, day)
        for listed in listed_done_recordings(events_by_day[day]):
            report.days[day].done_listed += 1
            known = previous.get(listed.recording_id)
            if _unchanged(known, listed):
                fetches[day].append(known)
                report.days[day].reused += 1
            else:
                wanted[listed.recording_id] = (day, listed)

    fetched_at = datetime.now(timezone.utc)
    async with aclosing(client.get_recordings_raw(list(wanted))) as results:
        async for recording_id, result in results:
            day, listed = wanted[recording_id]
            if isinstance(result, NotFoundError):
                http_status, body = 404, None
                report.days[day].missing += 1
            elif isinstance(result, RelateError):
                raise result
            else:
                http_status, body = 200, result
                report.days[day].fetched += 1
            fetches[day].append(
                RecordingFetch(
                    recording_id=recording_id,
                    calendar_event_id=listed.calendar_event_id,
                    listed_status=listed.listed_status,
                    event_updated_at=listed.event_updated_at,
                    fetched_at=fetched_at,
                    http_status=http_status,
                    body=body,
                )
            )

    for day in days:
        raw.write_partition("raw_calendar_events", day, raw_events_table(events_by_day[day]))
        raw.write_partition("raw_recordings", day, raw_recordings_table(sorted(fetches[day], key=lambda f: f.recording_id)))
    return report


def flatten_meeting_day(raw: Lake, day: str) -> dict[str, pa.Table]:
    """Every meeting table of one day, built from the raw store alone."""
    raw_events = _read_raw(raw, "raw_calendar_events", day)
    tables = flatten_events([orjson.loads(body) for body in raw_events.column("body").to_pylist()])
    tables.update(flatten_raw_recordings(_read_raw(raw, "raw_recordings", day)))
    return tables


def _read_raw(raw: Lake, table: str, day: str) -> pa.Table:
    stored = raw.read_partition(table, day)
    return empty_table(table) if stored is None else stored
