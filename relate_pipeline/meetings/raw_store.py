"""What the raw store already holds: where each event lives, and one day's listing and details.

Extraction compares every new listing and detail with these, so it can leave an unchanged day's
files alone, know which recording details are worth fetching again, and find the days an event
moved from or vanished from, anywhere in history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from relate_pipeline.meetings.raw_tables import RecordingFetch
from relate_pipeline.day_index import refresh_raw_index
from relate_pipeline.lake import Lake
from relate_pipeline.tables import TABLES

BATCH_RECORDINGS = 100
"""Recordings per raw row group and per batch read back: enough for the vectorised flattening to
run at full speed, small enough that a run's memory does not follow the size of a day
("Memory" in docs/benchmarks.md)."""

RAW_RECORDING_COLUMNS = tuple(field.name for field in TABLES["raw_recordings"].schema)
BRIEF_FIELDS = ("status", "started_at", "ended_at", "audio_duration")
"""What a listing says about a recording; a change in any of them means its detail changed too."""


@dataclass
class StoredDetail:
    """A recording's last fetch on a day, without its body. The body's digest and whether it was a
    finished detail (done, with a summary and a transcript) are read only when needed
    (``read_bodies``): an unchanged day then costs a read of its small columns alone."""

    fetch: RecordingFetch
    digest: str | None = None
    complete: bool | None = None


@dataclass
class StoredDay:
    """One day as the raw store holds it; ``written`` is false for a day never extracted."""

    written: bool = False
    events: dict[str, bytes] = field(default_factory=dict)
    briefs: dict[str, dict] = field(default_factory=dict)
    details: dict[str, StoredDetail] = field(default_factory=dict)
    deleted: list[dict] = field(default_factory=list)
    complete_files: bool = False

    def event(self, event_id: str) -> dict:
        return orjson.loads(self.events[event_id])


def brief(recording: Mapping) -> dict:
    return {name: recording.get(name) for name in BRIEF_FIELDS}


def body_digest(body: bytes | None) -> str | None:
    return None if body is None else hashlib.sha256(body).hexdigest()


def is_complete_detail(body: bytes | None) -> bool:
    """A detail worth keeping for good: done, with a summary and a transcript."""
    if body is None:
        return False
    try:
        detail = orjson.loads(body).get("data")
    except (orjson.JSONDecodeError, AttributeError):
        return False
    return (
        isinstance(detail, dict)
        and detail.get("status") == "done"
        and detail.get("summary") is not None
        and detail.get("transcript") is not None
    )


def held_event_days(raw: Lake) -> dict[str, set[str]]:
    """Every event id in the raw store and the days holding it (more than one only after an
    interrupted move, which the next run finishes), from the raw store's day index: only the days
    whose listing file changed since the last run are read."""
    return refresh_raw_index(raw).holders("raw_calendar_events")


def raw_event_bodies(raw: Lake, day: str) -> list[bytes]:
    return [
        body
        for batch in raw.iter_partition("raw_calendar_events", day, 10_000, columns=["body"])
        for body in batch.column("body").to_pylist()
    ]


def stored_day(raw: Lake, day: str) -> StoredDay:
    """The day's stored listing, recording fetches (without their bodies) and deletions."""
    stored = StoredDay()
    events = raw.read_partition("raw_calendar_events", day)
    if events is None:
        return stored
    stored.written = True
    for event_id, body in zip(events.column("event_id").to_pylist(), events.column("body").to_pylist()):
        stored.events[event_id] = body
        for recording in orjson.loads(body).get("recordings") or []:
            if isinstance(recording, dict) and isinstance(recording.get("id"), str):
                stored.briefs[recording["id"]] = brief(recording)
    columns = [name for name in RAW_RECORDING_COLUMNS if name != "body"]
    for batch in raw.iter_partition("raw_recordings", day, 10_000, columns=columns):
        for row in batch.to_pylist():
            stored.details[row["recording_id"]] = StoredDetail(RecordingFetch(**row))
    deleted = raw.read_partition("raw_deleted_events", day)
    if deleted is not None:
        stored.deleted = deleted.to_pylist()
    stored.complete_files = deleted is not None and raw.modified_ns("raw_recordings", day) is not None
    return stored


def read_bodies(raw: Lake, day: str, stored: StoredDay, recording_ids: set[str]) -> None:
    """Fill in digest and completeness of the given recordings' stored bodies, a batch at a time."""
    wanted = {rid for rid in recording_ids if rid in stored.details and stored.details[rid].complete is None}
    if not wanted:
        return
    for batch in raw.iter_partition("raw_recordings", day, BATCH_RECORDINGS, columns=["recording_id", "body"]):
        for recording_id, body in zip(batch.column("recording_id").to_pylist(), batch.column("body").to_pylist()):
            if recording_id in wanted:
                detail = stored.details[recording_id]
                detail.digest, detail.complete = body_digest(body), is_complete_detail(body)
