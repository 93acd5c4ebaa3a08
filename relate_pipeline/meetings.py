"""Incremental extraction of meeting days: list events, fetch only what changed, keep the raw bytes.

A range of days is listed once (one paginated listing, not one per day), the done recordings
are fanned out concurrently, and each day's raw responses are written as one partition of the
raw store. A recording is downloaded again only when it is new to that day, its listed status
changed, its event's ``updated_at`` moved, or its last fetch failed; everything else is carried
over from the previous raw partition. Flattening reads only the raw store, so it can be re-run
without touching the API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import orjson
import pyarrow as pa

from relate_pipeline.client import AsyncRelateClient, NotFoundError, RelateError, day_window
from relate_pipeline.flatten import flatten_events, flatten_recording_bodies
from relate_pipeline.lake import Lake
from relate_pipeline.tables import TABLES

DONE = "done"


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


def _done_recordings(event: dict) -> list[dict]:
    return [r for r in event.get("recordings") or [] if r.get("status") == DONE and r.get("id")]


def _previous_fetches(raw: Lake, day: str) -> dict[str, dict]:
    table = raw.read_partition("raw_recordings", day)
    if table is None:
        return {}
    return {row["recording_id"]: row for row in table.to_pylist()}


def _needs_fetch(previous: dict | None, event: dict) -> bool:
    return (
        previous is None
        or previous["http_status"] != 200
        or previous["listed_status"] != DONE
        or previous["event_updated_at"] != event.get("updated_at")
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

    days = [d.isoformat() for d in _days(first_day, last_day)]
    report = RangeExtract({day: DayExtract(events=len(events_by_day[day])) for day in days})
    rows_by_day: dict[str, dict[str, dict]] = {day: {} for day in days}
    wanted: dict[str, tuple[str, dict]] = {}
    for day in days:
        previous = _previous_fetches(raw, day)
        for event in events_by_day[day]:
            for recording in _done_recordings(event):
                report.days[day].done_listed += 1
                known = previous.get(recording["id"])
                if _needs_fetch(known, event):
                    wanted[recording["id"]] = (day, event)
                else:
                    rows_by_day[day][recording["id"]] = known
                    report.days[day].reused += 1

    fetched_at = datetime.now(timezone.utc)
    async for recording_id, result in client.get_recordings_raw(list(wanted)):
        day, event = wanted[recording_id]
        if isinstance(result, NotFoundError):
            status, body = 404, None
            report.days[day].missing += 1
        elif isinstance(result, RelateError):
            raise result
        else:
            status, body = 200, result
            report.days[day].fetched += 1
        rows_by_day[day][recording_id] = {
            "recording_id": recording_id,
            "calendar_event_id": event["id"],
            "listed_status": DONE,
            "event_updated_at": event.get("updated_at"),
            "fetched_at": fetched_at,
            "http_status": status,
            "body": body,
        }

    for day in days:
        raw.write_partition("raw_calendar_events", day, _raw_events_table(events_by_day[day]))
        recordings = sorted(rows_by_day[day].values(), key=lambda row: row["recording_id"])
        raw.write_partition("raw_recordings", day, _table("raw_recordings", recordings))
    return report


def _raw_events_table(events: Sequence[dict]) -> pa.Table:
    unique = {event["id"]: event for event in events}
    rows = [
        {
            "event_id": event_id,
            "start_at": datetime.fromisoformat(event["start_at"]),
            "updated_at": event.get("updated_at"),
            "body": orjson.dumps(event),
        }
        for event_id, event in sorted(unique.items())
    ]
    return _table("raw_calendar_events", rows)


def _days(first_day: date, last_day: date) -> Iterable[date]:
    for ordinal in range(first_day.toordinal(), last_day.toordinal() + 1):
        yield date.fromordinal(ordinal)


def flatten_meeting_day(raw: Lake, day: str) -> dict[str, pa.Table]:
    """Every meeting table of one day, built from the raw store alone."""
    raw_events = raw.read_partition("raw_calendar_events", day)
    raw_recordings = raw.read_partition("raw_recordings", day)
    events = [orjson.loads(body) for body in raw_events.column("body").to_pylist()] if raw_events else []
    tables = flatten_events(events)
    fetched: list[bytes] = []
    missing: list[dict] = []
    for row in raw_recordings.to_pylist() if raw_recordings else []:
        if row["http_status"] == 200:
            fetched.append(row["body"])
        else:
            missing.append(
                {
                    "recording_id": row["recording_id"],
                    "calendar_event_id": row["calendar_event_id"],
                    "listed_status": row["listed_status"],
                    "http_status": row["http_status"],
                    "reason": "detail not found (deleted after listing)" if row["http_status"] == 404 else "detail not fetched",
                }
            )
    tables.update(flatten_recording_bodies(fetched))
    tables["missing_recordings"] = _table("missing_recordings", missing)
    return tables


def _table(name: str, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TABLES[name].schema)
