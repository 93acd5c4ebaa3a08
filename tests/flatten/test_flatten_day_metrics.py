"""The per-day metric tables: each recording's and speaker's figures, and the e-mail rule's outcome, from the day alone."""

from __future__ import annotations

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pytest

from relate_pipeline.meetings.day_metrics import AttendeeTokens, day_metric_tables, email_tokens, whole_microseconds
from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.meetings.recordings import flatten_recording_bodies


def body(recording_id: str, transcript, action_items=()) -> bytes:
    summary = {"summary": "s", "topics": [], "action_items": list(action_items)}
    detail = {"id": recording_id, "calendar_event_id": "E", "status": "done", "summary": summary, "transcript": transcript}
    return orjson.dumps({"data": detail})


def segment(name, *words):
    return {"participant": {"name": name}, "words": [{"text": t, "start_timestamp": {"relative": s}, "end_timestamp": {"relative": e}} for t, s, e in words]}


ATTENDEES = flatten_events(
    [{"id": "E", "start_at": "2026-05-16T10:00:00.000Z", "attendees": [{"email": "alice.kim@acme.com"}, {"email": "alice.park@acme.com"}, {"email": "bob@relate.so"}]}]
)["event_attendees"]


def metrics(*bodies: bytes) -> dict[str, pa.Table]:
    return day_metric_tables(flatten_recording_bodies(list(bodies)), AttendeeTokens(ATTENDEES))


def test_a_recording_without_a_transcript_has_zero_counts_and_null_rates():
    (row,) = metrics(body("R", None))["recording_metrics"].to_pylist()
    assert row == {
        "recording_id": "R", "event_id": "E", "speaker_count": 0, "talk_seconds": 0.0, "transcript_seconds": 0.0,
        "speaker_switches": 0, "switches_per_minute": None, "longest_monologue_seconds": 0.0,
        "longest_monologue_participant": None, "mean_response_gap_seconds": None, "question_count": 0,
    }
    assert metrics(body("R", None))["speaker_metrics"].num_rows == 0


def test_speakers_are_numbered_per_recording_in_order_of_first_segment():
    tables = metrics(
        body("A", [segment("Bob", ("a", 0, 1)), segment("alice  KIM", ("b?", 2, 4)), segment("Bob", ("c", 5, 6))]),
        body("B", [segment(None, ("d", 0, 1))]),
    )
    rows = tables["speaker_metrics"].select(["recording_id", "speaker_index", "speaker_key", "participant_name", "talk_seconds", "talk_share"])
    assert rows.to_pylist() == [
        {"recording_id": "A", "speaker_index": 0, "speaker_key": "bob", "participant_name": "Bob", "talk_seconds": 2.0, "talk_share": 0.5},
        {"recording_id": "A", "speaker_index": 1, "speaker_key": "alice kim", "participant_name": "alice  KIM", "talk_seconds": 2.0, "talk_share": 0.5},
        {"recording_id": "B", "speaker_index": 0, "speaker_key": None, "participant_name": None, "talk_seconds": 1.0, "talk_share": 1.0},
    ]


def test_the_longest_monologue_goes_to_the_earliest_of_equal_runs():
    (row,) = metrics(body("A", [segment("Bob", ("a", 0, 2)), segment("Ann", ("b", 2, 4)), segment("Bob", ("c", 4, 6))]))["recording_metrics"].to_pylist()
    assert (row["longest_monologue_seconds"], row["longest_monologue_participant"]) == (2.0, "Bob")
    assert (row["speaker_switches"], row["mean_response_gap_seconds"], row["switches_per_minute"]) == (2, 0.0, 20.0)


def test_the_email_rule_keeps_an_address_only_when_exactly_one_attendee_holds_the_first_token():
    tables = metrics(body("A", [segment("Alice", ("a", 0, 1)), segment("Bob Stone", ("b", 1, 2)), segment("Kim", ("c", 2, 3))], ["Bob: call", "Check it"]))
    assert tables["speaker_metrics"].column("email_match").to_pylist() == [None, "bob@relate.so", "alice.kim@acme.com"]
    assert tables["action_item_owners"].to_pylist() == [
        {"recording_id": "A", "item_index": 0, "event_id": "E", "owner_key": "bob", "email_match": "bob@relate.so"},
    ]


def test_email_tokens_split_the_normalised_local_part_before_the_last_at():
    assert email_tokens("Jo.Ann+x_y-z@a@b.com") == ["jo", "ann", "x", "y", "z@a"]
    assert email_tokens("a.b@c.d") == ["a", "b"]
    assert email_tokens("no-at-sign") == ["no", "at", "sign"]
    assert email_tokens("@x.com") == []


def test_microseconds_round_as_the_warehouse_rounds():
    seconds = np.concatenate([np.arange(0, 40) * 0.5e-6, np.random.default_rng(7).uniform(0, 4000, 2000)])
    in_sql = duckdb.execute("SELECT CAST(round(s * 1e6) AS BIGINT) FROM unnest(?) AS t(s)", [seconds.tolist()]).fetchall()
    assert whole_microseconds(seconds).tolist() == [value for (value,) in in_sql]


def test_segments_of_a_recording_not_given_are_refused_in_one_line():
    tables = flatten_recording_bodies([body("A", [segment("Bob", ("a", 0, 1))])])
    with pytest.raises(ValueError, match="not given"):
        day_metric_tables({**tables, "recordings": tables["recordings"].slice(0, 0)}, AttendeeTokens(ATTENDEES))
