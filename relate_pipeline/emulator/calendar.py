"""Calendar events and recordings: exposure, filters, ordering, and the clock-driven lifecycle.

An event is visible only while at least one of its recordings is `done` by the emulator's clock.
Recording detail responses are cached as serialized bytes per recording and status, because detail
fetches dominate a pipeline run; anything that changes a recording drops its cache entry.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from typing import Any

import orjson

from . import meeting_content
from . import validation as v
from .clock import Clock
from .drift import drift_recording
from .errors import ApiError, invalid, not_found
from .ids import IdFactory
from .models import CalendarEvent, Recording
from .timefmt import epoch_micros, iso_utc, parse_instant, to_millis
from .workspace import Workspace

EDITABLE_EVENT_FIELDS = ("title", "attendees", "conference_link", "conference_type")
INSERT_EVENT_FIELDS = ("id", "recording_id", "start_at", "end_at", "duration_minutes", "language", *EDITABLE_EVENT_FIELDS)


class Calendar:
    def __init__(self, workspace: Workspace, ids: IdFactory, clock: Clock, seed: int) -> None:
        self.ws = workspace
        self.ids = ids
        self.clock = clock
        self.seed = seed
        self._rng = random.Random(f"relate-emulator-admin:{seed}")
        self._details: dict[str, tuple[str, dict[str, Any], bytes]] = {}
        self._order: list[CalendarEvent] = []
        self._resort()

    def _resort(self) -> None:
        self._order = sorted(self.ws.events.values(), key=lambda e: (-epoch_micros(e.start_at), e.id))
        self._descending_starts = [-epoch_micros(event.start_at) for event in self._order]

    def recordings_of(self, event: CalendarEvent) -> list[Recording]:
        return [self.ws.recordings[r] for r in event.recording_ids]

    # public reads

    def list_events(self, *, updated_after: float | None = None, starts_after: float | None = None,
                    starts_before: float | None = None, contact_id: str | None = None,
                    organization_id: str | None = None) -> list[CalendarEvent]:
        """Exposed events matching every given filter, latest start first (ties by id).

        Times are Unix seconds: `updated_after` is strict, `starts_after` inclusive, `starts_before` exclusive.
        """
        now = self.clock.now()
        attendee_sets = []
        if contact_id is not None:
            contact = self.ws.contacts.get(contact_id)
            if contact is None:
                raise ApiError(404, f"contact {contact_id!r} not found", "contact_id")
            attendee_sets.append({e.lower() for e in contact["emails"]})
        if organization_id is not None:
            if organization_id not in self.ws.organizations:
                raise ApiError(404, f"organization {organization_id!r} not found", "organization_id")
            attendee_sets.append({e.lower() for c in self.ws.contacts.values() if c["organization_id"] == organization_id for e in c["emails"]})
        bounds = [(None if t is None else round(t * 1_000_000)) for t in (updated_after, starts_after, starts_before)]
        updated_floor, start_floor, start_ceiling = bounds
        # A window of starts is a slice of the latest-first order: a day's listing does not walk
        # the whole workspace.
        first = 0 if start_ceiling is None else bisect.bisect_right(self._descending_starts, -start_ceiling)
        last = len(self._order) if start_floor is None else bisect.bisect_right(self._descending_starts, -start_floor)
        result = []
        for event in self._order[first:last]:
            recordings = self.recordings_of(event)
            if not event.exposed(recordings, now):
                continue
            if updated_floor is not None and epoch_micros(event.updated_at(recordings, now)) <= updated_floor:
                continue
            if attendee_sets:
                emails = {a.lower() for a in event.attendees}
                if not all(emails & wanted for wanted in attendee_sets):
                    continue
            result.append(event)
        return result

    def public_event(self, event: CalendarEvent) -> dict[str, Any]:
        return event.public(self.recordings_of(event), self.clock.now())

    def event(self, event_id: str) -> dict[str, Any]:
        event = self.ws.events.get(event_id)
        if event is None or not event.exposed(self.recordings_of(event), self.clock.now()):
            raise not_found("calendar event", event_id)
        return self.public_event(event)

    def _content(self, recording: Recording) -> tuple[orjson.Fragment, orjson.Fragment]:
        """Summary and transcript as pre-serialized JSON fragments.

        Keeping hundreds of thousands of small word dicts alive would make every garbage collection
        walk them; serialized bytes cost the collector nothing and are what responses need anyway.
        """
        if recording.content is None:
            length = (recording.ended_at - recording.started_at).total_seconds()
            summary, transcript = meeting_content.generate(recording.content_seed, recording.language, recording.participants,
                                                           recording.org_name, length)
            recording.content = (orjson.Fragment(orjson.dumps(summary)), orjson.Fragment(orjson.dumps(transcript)))
        return recording.content

    @staticmethod
    def _plain_content(recording: Recording) -> tuple[dict, list]:
        """Summary and transcript as plain JSON, which a drift variant can reshape; only drifted recordings need it."""
        length = (recording.ended_at - recording.started_at).total_seconds()
        return meeting_content.generate(recording.content_seed, recording.language, recording.participants,
                                        recording.org_name, length)

    def _detail(self, recording: Recording) -> tuple[dict[str, Any], bytes]:
        now = self.clock.now()
        status = recording.status(now)
        cached = self._details.get(recording.id)
        if cached is not None and cached[0] == status:
            return cached[1], cached[2]
        if status != "done":
            summary, transcript = None, None
        elif recording.drift:
            summary, transcript = self._plain_content(recording)
        else:
            summary, transcript = self._content(recording)
        detail = {
            "id": recording.id,
            "calendar_event_id": recording.event_id,
            "status": status,
            "started_at": iso_utc(recording.started_at),
            "ended_at": iso_utc(recording.ended_at),
            "audio_duration": recording.audio_duration,
            "summary": summary,
            "transcript": transcript,
            "created_at": iso_utc(recording.created_at),
            "updated_at": iso_utc(recording.updated_at(now)),
        }
        if recording.drift:
            detail = drift_recording(detail, recording.drift)
        body = orjson.dumps({"data": detail})
        self._details[recording.id] = (status, detail, body)
        return detail, body

    def recording_body(self, recording_id: str) -> bytes:
        """The serialized `{"data": ...}` response for a recording's detail."""
        recording = self.ws.recordings.get(recording_id)
        if recording is None or recording.deleted:
            raise not_found("recording", recording_id)
        return self._detail(recording)[1]

    # ground truth

    def truth_event(self, event: CalendarEvent) -> dict[str, Any]:
        now = self.clock.now()
        recordings = self.recordings_of(event)
        public = event.public(recordings, now)
        for brief, recording in zip(public["recordings"], recordings):
            brief["done_at"] = iso_utc(recording.settled_at) if recording.outcome == "done" else None
            brief["late"] = recording.late
            brief["deleted"] = recording.deleted
        public["exposed"] = event.exposed(recordings, now)
        public["stale_updated_at"] = event.stale_updated_at
        public["drift"] = event.drift
        return public

    def truth_events(self) -> list[dict[str, Any]]:
        return [self.truth_event(event) for event in self._order]

    def truth_recording(self, recording: Recording) -> dict[str, Any]:
        """The detail as served, marked `deleted` (it answers 404) and `drift` (its variant) when those apply."""
        detail = dict(self._detail(recording)[0])
        if recording.deleted:
            detail["deleted"] = True
        if recording.drift:
            detail["drift"] = recording.drift
        return detail

    def truth_recordings(self) -> dict[str, dict[str, Any]]:
        return {recording.id: self.truth_recording(recording) for recording in self.ws.recordings.values()}

    # admin changes

    def _admin_event(self, event_id: str) -> CalendarEvent:
        event = self.ws.events.get(event_id)
        if event is None:
            raise not_found("calendar event", event_id)
        return event

    def _admin_recording(self, recording_id: str) -> Recording:
        recording = self.ws.recordings.get(recording_id)
        if recording is None:
            raise not_found("recording", recording_id)
        return recording

    @staticmethod
    def _apply_event_fields(event: CalendarEvent, body: dict[str, Any]) -> None:
        if "title" in body:
            event.title = v.require_string(body, "title")
        if "attendees" in body:
            event.attendees = v.email_list(body["attendees"], "attendees")
        if "conference_link" in body:
            event.conference_link = v.optional_string(body, "conference_link")
        if "conference_type" in body:
            event.conference_type = v.optional_string(body, "conference_type")

    def _chosen_ids(self, body: dict[str, Any]) -> dict[str, str]:
        """The ids the body picks for the event (`id`) and its recording (`recording_id`), checked free.

        Any non-empty string is accepted, so tests can serve hostile ids like `../../x`.
        """
        chosen = {name: v.require_string(body, name) for name in ("id", "recording_id") if name in body}
        for name, value in chosen.items():
            if self.ids.taken(value):
                raise invalid(name, f"{value!r} is already taken")
        if len(set(chosen.values())) < len(chosen):
            raise invalid("recording_id", "must differ from id")
        return chosen

    def insert_event(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new event with one recording that is done as of the clock's now; `id` and `recording_id` may be chosen."""
        v.reject_unknown(body, INSERT_EVENT_FIELDS, "an inserted event")
        chosen = self._chosen_ids(body)
        try:
            raw_start = dt.datetime.fromisoformat(v.require_string(body, "start_at"))
            start = parse_instant(body["start_at"])
        except ValueError as exc:
            raise invalid("start_at", str(exc)) from exc
        offset = int(raw_start.utcoffset().total_seconds() // 60)
        if body.get("end_at") is not None:
            try:
                end = parse_instant(v.require_string(body, "end_at"))
            except ValueError as exc:
                raise invalid("end_at", str(exc)) from exc
        else:
            minutes = body.get("duration_minutes", 60)
            if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0:
                raise invalid("duration_minutes", "must be a positive number of minutes")
            end = to_millis(start + dt.timedelta(minutes=minutes))
        if end <= start:
            raise invalid("end_at", "must be after start_at")
        language = body.get("language", "en")
        if language not in ("en", "ko"):
            raise invalid("language", "must be en or ko")
        now = self.clock.now()
        contacts = [c for c in self.ws.contacts.values() if c["emails"]]
        host = self._rng.choice(self.ws.users)
        guest = self._rng.choice(contacts) if contacts else None
        event = CalendarEvent(
            id="", title="Ad-hoc meeting", start_at=start, end_at=end, offset_minutes=offset,
            conference_link="https://us02web.zoom.us/j/" + "".join(self._rng.choice("0123456789") for _ in range(10)),
            conference_type="Zoom", attendees=[host["email"]] + ([guest["emails"][0]] if guest else []),
            recording_ids=[], created_at=now, base_updated_at=now,
        )
        self._apply_event_fields(event, body)
        # Ids are taken only once every field is valid, so a rejected insert leaves its chosen ids free.
        event.id = self.ids.claim(chosen["id"]) if "id" in chosen else self.ids.new()
        recording_id = self.ids.claim(chosen["recording_id"]) if "recording_id" in chosen else self.ids.new()
        recording = Recording(
            id=recording_id, event_id=event.id, started_at=start, ended_at=end,
            audio_duration=round((end - start).total_seconds(), 2), created_at=start, outcome="done", settled_at=now,
            bumps_event=True, language=language, participants=[host["name"], "Guest"], org_name=None,
            content_seed=f"{self.seed}:{event.id}:inserted",
        )
        event.recording_ids.append(recording.id)
        self.ws.events[event.id] = event
        self.ws.recordings[recording.id] = recording
        self._resort()
        return self.truth_event(event)

    def edit_event(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Changes the given fields (by default the title) and moves `updated_at` to the clock's now."""
        event = self._admin_event(event_id)
        v.reject_unknown(body, EDITABLE_EVENT_FIELDS, "an event edit")
        self._apply_event_fields(event, body or {"title": f"{event.title} (edited)"})
        event.base_updated_at = self.clock.now()
        return self.truth_event(event)

    def finish_recording(self, recording_id: str, bump_event_updated_at: bool) -> dict[str, Any]:
        """Makes a processing or failed recording done as of the clock's now; a done one is left as it is."""
        recording = self._admin_recording(recording_id)
        if recording.status(self.clock.now()) != "done":
            recording.outcome = "done"
            recording.settled_at = self.clock.now()
            recording.bumps_event = bump_event_updated_at
            self._details.pop(recording_id, None)
        return self.truth_recording(recording)

    def reschedule_event(self, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Moves the meeting to a new `start_at` (keeping its length unless `end_at` is given); `updated_at` moves too.

        Its recordings keep their times: a rescheduled calendar entry does not rewrite what was recorded.
        """
        event = self._admin_event(event_id)
        v.reject_unknown(body, ("start_at", "end_at"), "a reschedule")
        try:
            raw_start = dt.datetime.fromisoformat(v.require_string(body, "start_at"))
            start = parse_instant(body["start_at"])
            end = parse_instant(v.require_string(body, "end_at")) if body.get("end_at") is not None else None
        except ValueError as exc:
            raise invalid("start_at", str(exc)) from exc
        end = end or to_millis(start + (event.end_at - event.start_at))
        if end <= start:
            raise invalid("end_at", "must be after start_at")
        event.start_at, event.end_at = start, end
        event.offset_minutes = int(raw_start.utcoffset().total_seconds() // 60)
        event.base_updated_at = self.clock.now()
        self._resort()
        return self.truth_event(event)

    def delete_event(self, event_id: str) -> None:
        """The event leaves every listing and its detail answers 404, as do its recordings."""
        event = self._admin_event(event_id)
        for recording_id in event.recording_ids:
            self.ws.recordings[recording_id].deleted = True
            self._details.pop(recording_id, None)
        del self.ws.events[event_id]
        self._resort()

    def regenerate_summary(self, recording_id: str) -> dict[str, Any]:
        """A done recording's summary is generated again with other content; only the recording's `updated_at` moves."""
        recording = self._admin_recording(recording_id)
        if recording.status(self.clock.now()) != "done":
            raise invalid("id", f"recording {recording_id!r} is not done; only a done recording has a summary")
        recording.regenerated_at = self.clock.now()
        recording.content_seed = f"{recording.content_seed}:regenerated:{iso_utc(recording.regenerated_at)}"
        recording.content = None
        self._details.pop(recording_id, None)
        return self.truth_recording(recording)

    def delete_recording(self, recording_id: str) -> None:
        """The detail answers 404 from now on; the event's `recordings` array still lists it as it was."""
        self._admin_recording(recording_id).deleted = True
        self._details.pop(recording_id, None)
