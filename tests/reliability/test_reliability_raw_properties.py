"""Property: whatever a day's fetches returned, flattening the raw store accounts for every recording.

The flatteners' own properties (any drifted detail flattens with its text intact) live in
tests/flatten/test_flatten_properties.py and their strategies are reused here. This adds the raw
store's boundary, where the pipeline's meeting step starts: any mix of well-formed drifted bodies,
garbage bodies, 404s and fetches that got no answer lands each recording exactly once, either as a
recording with every transcript word or as a `missing_recordings` row giving the reason.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relate_pipeline.meetings.raw_tables import RecordingFetch, flatten_raw_recordings, raw_recordings_table
from tests.flatten.test_flatten_properties import detail_with_id, input_strings

FETCHED_AT = datetime(2026, 5, 21, 6, tzinfo=timezone.utc)


def fetch(recording_id: str, http_status: int | None, body: bytes | None) -> RecordingFetch:
    return RecordingFetch(recording_id, "E1", "done", "2026-05-20T00:00:00.000Z", FETCHED_AT, http_status, body)


def outcome(recording_id: str) -> st.SearchStrategy[tuple[RecordingFetch, dict | None]]:
    """One fetch outcome, with the detail it carried when it carried a usable one."""
    detail = st.tuples(detail_with_id(recording_id), st.booleans()).map(
        lambda pair: {k: v for k, v in pair[0].items() if k != "id" or pair[1]}
    )
    return st.one_of(
        detail.map(lambda d: (fetch(recording_id, 200, orjson.dumps({"data": d})), d)),
        st.binary(max_size=40).filter(lambda b: b"data" not in b).map(lambda b: (fetch(recording_id, 200, b), None)),
        st.just((fetch(recording_id, 404, None), None)),
        st.just((fetch(recording_id, None, None), None)),
        st.just((fetch(recording_id, 200, None), None)),
    )


outcomes = st.lists(st.text(min_size=1, max_size=8), max_size=5, unique=True).flatmap(
    lambda ids: st.tuples(*(outcome(i) for i in ids)).map(list)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outcomes)
def test_every_fetched_recording_lands_once_as_a_recording_or_a_missing_row(fetched):
    tables = flatten_raw_recordings(raw_recordings_table([f for f, _ in fetched]))
    landed = tables["recordings"].column("recording_id").to_pylist()
    missing = tables["missing_recordings"].to_pylist()
    assert Counter(landed + [m["recording_id"] for m in missing]) == Counter(f.recording_id for f, _ in fetched)
    assert set(landed) >= {f.recording_id for f, detail in fetched if detail is not None}
    assert all(m["reason"] for m in missing)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outcomes)
def test_every_word_of_every_usable_body_lands_beside_failed_fetches(fetched):
    details = [{**detail, "id": f.recording_id} for f, detail in fetched if detail is not None]
    utterances = flatten_raw_recordings(raw_recordings_table([f for f, _ in fetched]))["transcript_utterances"]
    landed = Counter(zip(utterances.column("recording_id").to_pylist(), utterances.column("text").to_pylist()))
    assert input_strings(details, "word") <= landed
