"""Mutable records for the parts of the workspace whose public shape is derived, not stored.

Calendar events and recordings change with the emulator's clock (status, `updated_at`, exposure),
so they are kept as records and rendered on demand; the CRM objects are stored in their public shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .drift import drift_event
from .timefmt import iso_local, iso_utc


@dataclass
class Recording:
    id: str
    event_id: str
    started_at: dt.datetime
    ended_at: dt.datetime
    audio_duration: float | None
    created_at: dt.datetime
    outcome: str  # "done" or "failed": where processing ends up
    settled_at: dt.datetime  # when processing finished (done) or gave up (failed)
    bumps_event: bool  # whether finishing moves the event's updated_at (False: the late-arrival trap)
    language: str
    participants: list[str]
    org_name: str | None
    content_seed: str
    late: bool = False
    deleted: bool = False
    regenerated_at: dt.datetime | None = None  # when the summary was last regenerated, if ever
    drift: str | None = None  # a `drift.RECORDING_DRIFTS` variant its detail is served with
    content: tuple[Any, Any] | None = field(default=None, repr=False)  # serialized summary and transcript

    def status(self, now: dt.datetime) -> str:
        if self.outcome == "failed":
            return "failed"
        return "done" if now >= self.settled_at else "processing"

    def updated_at(self, now: dt.datetime) -> dt.datetime:
        if self.status(now) == "processing":
            return self.ended_at
        return max(self.settled_at, self.regenerated_at or self.settled_at)

    def brief(self, now: dt.datetime) -> dict[str, Any]:
        """The entry in an event's `recordings` array."""
        return {
            "id": self.id,
            "status": self.status(now),
            "started_at": iso_utc(self.started_at),
            "ended_at": iso_utc(self.ended_at),
            "audio_duration": self.audio_duration,
        }


@dataclass
class CalendarEvent:
    id: str
    title: str
    start_at: dt.datetime
    end_at: dt.datetime
    offset_minutes: int
    conference_link: str | None
    conference_type: str | None
    attendees: list[str]
    recording_ids: list[str]
    created_at: dt.datetime
    base_updated_at: dt.datetime  # calendar sync or last edit, before any recording finished
    stale_updated_at: bool = False
    drift: str | None = None  # a `drift.EVENT_DRIFTS` variant it is served with

    def updated_at(self, recordings: list[Recording], now: dt.datetime) -> dt.datetime:
        bumps = [r.settled_at for r in recordings if r.bumps_event and r.status(now) == "done"]
        return max([self.base_updated_at, *bumps])

    def exposed(self, recordings: list[Recording], now: dt.datetime) -> bool:
        return any(r.status(now) == "done" for r in recordings)

    def public(self, recordings: list[Recording], now: dt.datetime) -> dict[str, Any]:
        public = {
            "id": self.id,
            "title": self.title,
            "start_at": iso_local(self.start_at, self.offset_minutes),
            "end_at": iso_local(self.end_at, self.offset_minutes),
            "conference_link": self.conference_link,
            "conference_type": self.conference_type,
            "attendees": [{"email": email} for email in self.attendees],
            "recordings": [r.brief(now) for r in recordings],
            "created_at": iso_utc(self.created_at),
            "updated_at": iso_utc(self.updated_at(recordings, now)),
        }
        return drift_event(public, self.drift) if self.drift else public


@dataclass
class ListState:
    """A list or process in its public shape, plus what entries need: field ids and the key counter."""

    public: dict[str, Any]
    field_ids: dict[str, str]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_key: int = 1

    @property
    def is_process(self) -> bool:
        return self.public["process"] is True

    def field(self, name: str) -> dict[str, Any] | None:
        return next((f for f in self.public["fields"] if f["name"] == name), None)
