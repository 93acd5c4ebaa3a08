from __future__ import annotations

from datetime import datetime, timezone

import orjson
from flatten_samples import SPEC_EVENT, SPEC_RECORDING, body, event

from relate_pipeline.meetings.raw_tables import RecordingFetch, flatten_raw_recordings, listed_done_recordings, raw_events_table, raw_recordings_table

FETCHED_AT = datetime(2026, 5, 17, 0, 0, tzinfo=timezone.utc)


def fetch(recording_id: str, http_status: int | None, payload: bytes | None) -> RecordingFetch:
    return RecordingFetch(recording_id, "DoASO0", "done", "2026-05-16T03:00:00.000Z", FETCHED_AT, http_status, payload)


def test_raw_event_body_decodes_back_to_the_listed_event():
    row = raw_events_table([SPEC_EVENT]).to_pylist()[0]
    assert orjson.loads(row["body"]) == SPEC_EVENT
    assert row["updated_at"] == "2026-05-16T03:00:00.000Z"
    assert row["start_at"] == datetime(2026, 5, 16, 2, 0, tzinfo=timezone.utc)


def test_only_done_recordings_are_listed_for_fetching_once_each():
    events = [
        event(recordings=[{"id": "r1", "status": "done"}, {"id": "r2", "status": "processing"}]),
        event(id="other", recordings=[{"id": "r1", "status": "done"}, {"id": "r3", "status": "done"}]),
    ]
    listed = listed_done_recordings(events)
    assert [(r.recording_id, r.calendar_event_id) for r in listed] == [("r1", "DoASO0"), ("r3", "other")]


def test_raw_recordings_keep_the_exact_response_bytes():
    payload = body(SPEC_RECORDING) + b"  "
    row = raw_recordings_table([fetch("K3xQzR", 200, payload)]).to_pylist()[0]
    assert row["body"] == payload
    assert (row["http_status"], row["fetched_at"]) == (200, FETCHED_AT)


def test_fetch_repr_never_shows_the_body():
    assert "secret transcript" not in repr(fetch("r", 200, b"secret transcript"))


def test_fetched_bodies_flatten_and_failures_become_missing_rows():
    raw = raw_recordings_table(
        [
            fetch("K3xQzR", 200, body(SPEC_RECORDING)),
            fetch("gone", 404, None),
            fetch("broken", 200, b"<html>oops</html>"),
            fetch("never", None, None),
        ]
    )
    tables = flatten_raw_recordings(raw)
    assert tables["recordings"].column("recording_id").to_pylist() == ["K3xQzR"]
    missing = {r["recording_id"]: (r["http_status"], r["reason"]) for r in tables["missing_recordings"].to_pylist()}
    assert missing["gone"] == (404, "http 404")
    assert missing["never"] == (None, "no response")
    assert missing["broken"][1].startswith("invalid body: recording body at position 0 is not valid JSON")


def test_body_without_an_id_takes_the_recording_id_it_was_fetched_as():
    detail = {k: v for k, v in SPEC_RECORDING.items() if k != "id"}
    tables = flatten_raw_recordings(raw_recordings_table([fetch("K3xQzR", 200, body(detail))]))
    assert tables["transcript_utterances"].column("recording_id").to_pylist() == ["K3xQzR"]
