from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flatten_samples import SPEC_EVENT, event

from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.tables import TABLES


def test_spec_example_event_becomes_one_row_with_times_in_utc():
    row = flatten_events([SPEC_EVENT])["calendar_events"].to_pylist()[0]
    assert row["event_id"] == "DoASO0"
    assert row["start_at"] == datetime(2026, 5, 16, 2, 0, tzinfo=timezone.utc)
    assert row["end_at"] == datetime(2026, 5, 16, 3, 0, tzinfo=timezone.utc)
    assert (row["attendee_count"], row["recording_count"], row["done_recording_count"]) == (2, 1, 1)


def test_start_offset_keeps_the_meetings_own_time_zone():
    offsets = flatten_events(
        [
            event(id="a", start_at="2026-05-16T11:00:00.000+09:00"),
            event(id="b", start_at="2026-05-16T02:00:00.000Z"),
            event(id="c", start_at="2026-05-15T22:00:00-04:00"),
            event(id="d", start_at=None),
        ]
    )["calendar_events"].column("start_utc_offset_minutes")
    assert offsets.to_pylist() == [540, 0, -240, None]


def test_attendee_emails_are_stripped_and_lower_cased_with_their_domain():
    attendees = flatten_events([event(attendees=[{"email": "  Alice@Example.COM "}, {"email": None}, {}])])
    rows = attendees["event_attendees"].to_pylist()
    assert [(r["attendee_index"], r["email"], r["email_domain"]) for r in rows] == [
        (0, "alice@example.com", "example.com"),
        (1, None, None),
        (2, None, None),
    ]


def test_listed_recordings_keep_status_and_duration():
    rows = flatten_events([event(recordings=[{"id": "r1", "status": "processing", "audio_duration": 61.5}])])
    recording = rows["event_recordings"].to_pylist()[0]
    assert (recording["recording_id"], recording["status"], recording["audio_duration_s"]) == ("r1", "processing", 61.5)
    assert rows["calendar_events"].column("done_recording_count").to_pylist() == [0]


def test_null_lists_flatten_to_no_child_rows():
    tables = flatten_events([event(attendees=None, recordings=None)])
    assert tables["event_attendees"].num_rows == 0
    assert tables["event_recordings"].num_rows == 0
    assert tables["calendar_events"].column("attendee_count").to_pylist() == [0]


def test_event_listed_twice_keeps_the_later_copy():
    tables = flatten_events([event(title="old"), event(title="new")])
    assert tables["calendar_events"].column("title").to_pylist() == ["new"]
    assert tables["event_attendees"].num_rows == 2


def test_recording_listed_twice_on_one_event_gives_one_row():
    recording = SPEC_EVENT["recordings"][0]
    tables = flatten_events([event(recordings=[recording, recording])])
    assert tables["event_recordings"].column("recording_id").to_pylist() == ["K3xQzR"]


def test_unknown_fields_are_ignored():
    tables = flatten_events([event(location="Room 1", attendees=[{"email": "a@b.co", "rsvp": "yes"}])])
    assert tables["calendar_events"].column_names == TABLES["calendar_events"].schema.names


def test_event_without_id_is_rejected_naming_its_position():
    with pytest.raises(ValueError, match="calendar event at position 1 has no usable 'id'"):
        flatten_events([SPEC_EVENT, event(id=None)])


def test_no_events_give_empty_tables_with_the_spec_schemas():
    tables = flatten_events([])
    for name, table in tables.items():
        assert table.num_rows == 0
        assert table.schema.equals(TABLES[name].schema)
