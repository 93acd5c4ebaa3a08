"""Calendar events (as listed by /calendar_events) to calendar_events, event_attendees, event_recordings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from relate_pipeline.columns import (
    as_list,
    build_table,
    email,
    email_domain,
    identifier,
    utc_offset_minutes,
)
from relate_pipeline.keys import latest_by_id


def flatten_events(events: Sequence[Mapping]) -> dict[str, pa.Table]:
    """Listed calendar events to their three tables; raises ValueError for an event without an id."""
    keyed = latest_by_id(events, "calendar event")

    ev_id, title, start_at, end_at, offset, link, conf_type = [], [], [], [], [], [], []
    attendee_count, recording_count, done_count, created_at, updated_at = [], [], [], [], []
    at_event, at_index, at_email, at_domain = [], [], [], []
    rec_event, rec_id, rec_index, rec_status, rec_started, rec_ended, rec_duration = [], [], [], [], [], [], []

    for event_id, event in keyed:
        get = event.get
        attendees = as_list(get("attendees"))
        recordings = as_list(get("recordings"))
        ev_id.append(event_id)
        title.append(get("title"))
        start_at.append(get("start_at"))
        end_at.append(get("end_at"))
        offset.append(utc_offset_minutes(get("start_at")))
        link.append(get("conference_link"))
        conf_type.append(get("conference_type"))
        created_at.append(get("created_at"))
        updated_at.append(get("updated_at"))
        attendee_count.append(len(attendees))
        recording_count.append(len(recordings))

        for index, attendee in enumerate(attendees):
            address = email(attendee.get("email") if isinstance(attendee, Mapping) else attendee)
            at_event.append(event_id)
            at_index.append(index)
            at_email.append(address)
            at_domain.append(email_domain(address))

        done = 0
        seen: set[str] = set()
        for index, recording in enumerate(recordings):
            if not isinstance(recording, Mapping):
                continue
            recording_id = identifier(recording.get("id"))
            # A listed recording without an id cannot be fetched or joined; a repeated id
            # is the same recording listed twice.
            if recording_id is None or recording_id in seen:
                continue
            seen.add(recording_id)
            status = recording.get("status")
            done += status == "done"
            rec_event.append(event_id)
            rec_id.append(recording_id)
            rec_index.append(index)
            rec_status.append(status)
            rec_started.append(recording.get("started_at"))
            rec_ended.append(recording.get("ended_at"))
            rec_duration.append(recording.get("audio_duration"))
        done_count.append(done)

    return {
        "calendar_events": build_table(
            "calendar_events",
            {
                "event_id": ev_id,
                "title": title,
                "start_at": start_at,
                "end_at": end_at,
                "start_utc_offset_minutes": offset,
                "conference_link": link,
                "conference_type": conf_type,
                "attendee_count": attendee_count,
                "recording_count": recording_count,
                "done_recording_count": done_count,
                "created_at": created_at,
                "updated_at": updated_at,
            },
        ),
        "event_attendees": build_table(
            "event_attendees",
            {"event_id": at_event, "attendee_index": at_index, "email": at_email, "email_domain": at_domain},
        ),
        "event_recordings": build_table(
            "event_recordings",
            {
                "event_id": rec_event,
                "recording_id": rec_id,
                "recording_index": rec_index,
                "status": rec_status,
                "started_at": rec_started,
                "ended_at": rec_ended,
                "audio_duration_s": rec_duration,
            },
        ),
    }
