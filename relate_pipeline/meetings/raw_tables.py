"""The raw store's tables, and flattening from them.

A recording detail is kept as the exact response bytes; a listed calendar event arrives inside
a page, so it is kept re-encoded as JSON with every key and value it had. Keeping them lets
any column be re-derived after a schema change without re-fetching, and lets a failed fetch
be recorded as data (``missing_recordings``) instead of vanishing from the partition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.columns import as_list, build_table, identifier, text
from relate_pipeline.keys import latest_by_id
from relate_pipeline.meetings.recordings import flatten_recording_bodies, flatten_recordings, parse_recording_body
from relate_pipeline.tables import conform, empty_table


@dataclass(frozen=True)
class ListedRecording:
    """A recording as listed on a calendar event: what the detail fan-out needs to fetch it."""

    recording_id: str
    calendar_event_id: str
    listed_status: str | None
    event_updated_at: str | None


@dataclass(frozen=True)
class RecordingFetch:
    """Outcome of one detail request; ``http_status`` None means no response was received."""

    recording_id: str
    calendar_event_id: str | None
    listed_status: str | None
    event_updated_at: str | None
    fetched_at: datetime | None
    http_status: int | None
    body: bytes | None = field(default=None, repr=False)


def listed_done_recordings(events: Sequence[Mapping]) -> list[ListedRecording]:
    """Every recording listed with status 'done', once per recording id, in listing order."""
    listed: dict[str, ListedRecording] = {}
    for event_id, event in latest_by_id(events, "calendar event"):
        updated_at = text(event.get("updated_at"))
        for recording in as_list(event.get("recordings")):
            if not isinstance(recording, Mapping) or recording.get("status") != "done":
                continue
            recording_id = identifier(recording.get("id"))
            if recording_id is not None and recording_id not in listed:
                listed[recording_id] = ListedRecording(recording_id, event_id, "done", updated_at)
    return list(listed.values())


def raw_events_table(events: Sequence[Mapping]) -> pa.Table:
    """Listed events as raw_calendar_events rows, each event's JSON re-encoded as its body."""
    keyed = latest_by_id(events, "calendar event")
    return build_table(
        "raw_calendar_events",
        {
            "event_id": [k for k, _ in keyed],
            "start_at": [e.get("start_at") for _, e in keyed],
            "updated_at": [text(e.get("updated_at")) for _, e in keyed],
            "body": pa.array([orjson.dumps(e) for _, e in keyed], type=pa.large_binary()),
        },
    )


def raw_recordings_table(fetches: Sequence[RecordingFetch]) -> pa.Table:
    """Fetch outcomes as raw_recordings rows; a repeated recording id keeps its last outcome."""
    latest: dict[str, RecordingFetch] = {}
    for position, fetch in enumerate(fetches):
        if not isinstance(fetch, RecordingFetch):
            raise TypeError(f"fetch at position {position} is a {type(fetch).__name__}, expected RecordingFetch")
        if not fetch.recording_id:
            raise ValueError(f"fetch at position {position} has an empty recording_id")
        latest[fetch.recording_id] = fetch
    rows = list(latest.values())
    return build_table(
        "raw_recordings",
        {
            "recording_id": [f.recording_id for f in rows],
            "calendar_event_id": [f.calendar_event_id for f in rows],
            "listed_status": [f.listed_status for f in rows],
            "event_updated_at": [f.event_updated_at for f in rows],
            "fetched_at": pa.array([f.fetched_at for f in rows], type=pa.timestamp("us", tz="UTC")),
            "http_status": [f.http_status for f in rows],
            "body": pa.array([f.body for f in rows], type=pa.large_binary()),
        },
    )


def _missing_reason(http_status: int | None, body: bytes | None) -> str | None:
    if http_status is None:
        return "no response"
    if http_status != 200:
        return f"http {http_status}"
    if body is None:
        return "http 200 without a body"
    return None


def flatten_raw_recordings(raw: pa.Table) -> dict[str, pa.Table]:
    """raw_recordings rows to the recording tables plus ``missing_recordings``.

    A body that is not a usable recording (bad JSON, no ``data``) becomes a missing row with
    the parse error as reason, so one corrupt response never fails the whole partition. The
    common case (every row fetched and well-formed) takes the vectorized path in one call;
    only a partition with a missing or broken body pays for the row-by-row one.
    """
    raw = conform("raw_recordings", raw)
    fetched = pc.and_(pc.equal(raw.column("http_status"), 200), pc.is_valid(raw.column("body")))
    if pc.all(fetched).as_py() is not False:
        try:
            tables = flatten_recording_bodies(raw.column("body").to_pylist())
        except ValueError:
            pass
        else:
            tables["missing_recordings"] = empty_table("missing_recordings")
            return tables
    details: list[Mapping] = []
    m_id, m_event, m_status, m_http, m_reason = [], [], [], [], []
    columns = raw.select(["recording_id", "calendar_event_id", "listed_status", "http_status", "body"])
    for recording_id, event_id, listed_status, http_status, body in zip(
        *(column.to_pylist() for column in columns.columns)
    ):
        reason = _missing_reason(http_status, body)
        if reason is None:
            try:
                detail = parse_recording_body(body)
            except ValueError as exc:
                reason = f"invalid body: {exc}"
            else:
                if identifier(detail.get("id")) is None:
                    detail = {**detail, "id": recording_id}
                details.append(detail)
                continue
        m_id.append(recording_id)
        m_event.append(event_id)
        m_status.append(listed_status)
        m_http.append(http_status)
        m_reason.append(reason)
    tables = flatten_recordings(details)
    tables["missing_recordings"] = build_table(
        "missing_recordings",
        {
            "recording_id": m_id,
            "calendar_event_id": m_event,
            "listed_status": m_status,
            "http_status": m_http,
            "reason": m_reason,
        },
    )
    return tables
