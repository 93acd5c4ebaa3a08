"""Property tests: any payload of the documented shape plus drift flattens completely.

Drift here means what a live API does over time: unknown keys, null where a list was
documented, missing keys, values of an unexpected JSON type, and any Unicode text.
"""

from __future__ import annotations

from collections import Counter

import orjson
import pytest
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.meetings.recordings import flatten_recording_bodies, flatten_recordings
from relate_pipeline.tables import TABLES

pytestmark = pytest.mark.slow

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
any_json = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
texts = st.text(max_size=30)
noise_keys = st.dictionaries(st.text(min_size=1, max_size=8).map(lambda k: f"x_{k}"), any_json, max_size=2)


def with_noise(shape: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    """A documented object with some keys dropped and unknown keys added."""
    return st.builds(
        lambda obj, drop, extra: {**{k: v for k, v in obj.items() if k not in drop}, **extra},
        shape,
        st.sets(st.sampled_from(["a"]) | st.text(max_size=12), max_size=2),
        noise_keys,
    )


def list_or_drift(item: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(item, max_size=4) | st.none() | item


stamp = st.fixed_dictionaries({"relative": st.floats(0, 1e5) | st.integers(0, 10**5) | st.none()}) | st.none()
word = with_noise(st.fixed_dictionaries({"text": texts | any_json, "start_timestamp": stamp, "end_timestamp": stamp})) | texts
segment = with_noise(
    st.fixed_dictionaries(
        {
            "participant": st.fixed_dictionaries({"name": texts | st.none()}) | texts | st.none(),
            "words": list_or_drift(word),
            "language_code": st.sampled_from(["en", "ko"]) | st.none(),
        }
    )
)
topic = with_noise(st.fixed_dictionaries({"title": texts, "content": texts | st.none()})) | texts | st.none()
summary = (
    st.builds(
        lambda base, extra: {**base, **extra},
        st.fixed_dictionaries(
            {},
            optional={
                "summary": texts | st.none(),
                "topics": list_or_drift(topic),
                "action_items": list_or_drift(texts | any_json),
                "detected_language": st.sampled_from(["en", "ko"]) | st.none(),
            },
        ),
        st.dictionaries(st.text(min_size=1, max_size=10), any_json, max_size=3),
    )
    | st.none()
    | texts
)
timestamps = st.sampled_from(["2026-05-16T02:00:00.000Z", "2026-05-16T11:00:00+09:00", "not a time", None])


def detail_with_id(recording_id: str) -> st.SearchStrategy[dict]:
    return with_noise(
        st.fixed_dictionaries(
            {
                "calendar_event_id": texts | st.none(),
                "status": st.sampled_from(["done", "processing"]) | st.none(),
                "started_at": timestamps,
                "ended_at": timestamps,
                "audio_duration": st.floats(0, 1e5) | st.none(),
                "summary": summary,
                "transcript": list_or_drift(segment),
                "created_at": timestamps,
            }
        )
    ).map(lambda d: {**d, "id": recording_id})


details = st.lists(st.text(min_size=1, max_size=8), max_size=4, unique=True).flatmap(
    lambda ids: st.tuples(*(detail_with_id(i) for i in ids)).map(list)
)


def as_items(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def input_strings(recordings: list[dict], path: str) -> Counter:
    """Every string the input holds at ``path`` ('word' or 'action_item'), per recording."""
    found: Counter = Counter()
    for detail in recordings:
        if path == "word":
            for seg in as_items(detail.get("transcript")):
                words = as_items(seg.get("words")) if isinstance(seg, dict) else [seg]
                for w in words:
                    value = w.get("text") if isinstance(w, dict) else w
                    if isinstance(value, str):
                        found[(detail["id"], value)] += 1
        else:
            s = detail.get("summary")
            for item in as_items(s.get("action_items")) if isinstance(s, dict) else []:
                if isinstance(item, str):
                    found[(detail["id"], item)] += 1
    return found


def output_strings(table: pa.Table) -> Counter:
    return Counter(zip(table.column("recording_id").to_pylist(), table.column("text").to_pylist()))


def assert_keys_unique(tables: dict[str, pa.Table]) -> None:
    for name, table in tables.items():
        key = list(TABLES[name].key)
        assert table.select(key).group_by(key).aggregate([]).num_rows == table.num_rows, name
        assert table.schema.equals(TABLES[name].schema), name


@SETTINGS
@given(details)
def test_any_drifted_recording_flattens_with_unique_keys(recordings):
    assert_keys_unique(flatten_recordings(recordings))


@SETTINGS
@given(details)
def test_every_transcript_text_survives_intact(recordings):
    utterances = flatten_recordings(recordings)["transcript_utterances"]
    assert input_strings(recordings, "word") <= output_strings(utterances)
    expected_rows = sum(
        len(as_items(seg.get("words")) if isinstance(seg, dict) else [seg])
        for d in recordings
        for seg in as_items(d.get("transcript"))
        if seg is not None
    )
    assert utterances.num_rows == expected_rows


@SETTINGS
@given(details)
def test_every_action_item_text_survives_intact(recordings):
    items = flatten_recordings(recordings)["recording_action_items"]
    assert input_strings(recordings, "action_item") <= output_strings(items)


@SETTINGS
@given(details)
def test_bodies_flatten_exactly_like_decoded_details(recordings):
    from_bodies = flatten_recording_bodies([orjson.dumps({"data": d}) for d in recordings])
    from_details = flatten_recordings(recordings)
    for name in from_details:
        assert from_bodies[name].equals(from_details[name]), name


attendee = with_noise(st.fixed_dictionaries({"email": texts | st.none()})) | texts | st.none()
listed_recording = with_noise(
    st.fixed_dictionaries(
        {"id": st.text(min_size=1, max_size=4), "status": st.sampled_from(["done", "processing"]), "started_at": timestamps}
    )
)
events = st.lists(
    with_noise(
        st.fixed_dictionaries(
            {
                "id": st.text(min_size=1, max_size=4),
                "title": texts | st.none(),
                "start_at": timestamps,
                "attendees": list_or_drift(attendee),
                "recordings": list_or_drift(listed_recording),
            }
        )
    ).filter(lambda e: "id" in e),
    max_size=4,
)


@SETTINGS
@given(events)
def test_any_drifted_event_list_flattens_with_unique_keys(listed):
    tables = flatten_events(listed)
    assert_keys_unique(tables)
    latest = {e["id"]: e for e in listed}
    assert tables["event_attendees"].num_rows == sum(len(as_items(e.get("attendees"))) for e in latest.values())
