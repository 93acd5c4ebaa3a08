from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from flatten_samples import SPEC_RECORDING, body, recording

from relate_pipeline.meetings.recordings import flatten_recording_bodies, flatten_recordings
from relate_pipeline.tables import TABLES

STARTED = datetime(2026, 5, 16, 2, 0, tzinfo=timezone.utc)


def test_spec_example_recording_row_counts_its_children():
    row = flatten_recordings([SPEC_RECORDING])["recordings"].to_pylist()[0]
    assert row["summary_text"] == "A short summary of the entire meeting."
    assert row["detected_language"] == "en"
    assert (row["topic_count"], row["action_item_count"], row["segment_count"], row["utterance_count"]) == (2, 2, 1, 1)
    assert row["participant_count"] == 1
    assert row["started_at"] == STARTED


def test_topics_keep_title_content_and_position():
    rows = flatten_recordings([SPEC_RECORDING])["recording_topics"].to_pylist()
    assert [(r["topic_index"], r["title"]) for r in rows] == [(0, "Topic title 1"), (1, "Topic title 2")]


def test_action_items_are_split_into_owner_and_task():
    rows = flatten_recordings([SPEC_RECORDING])["recording_action_items"].to_pylist()
    assert [(r["item_index"], r["owner"], r["task"]) for r in rows] == [
        (0, "Owner A", "follow-up task 1"),
        (1, "Owner B", "follow-up task 2"),
    ]


def test_utterances_get_absolute_times_from_the_recording_start():
    row = flatten_recordings([SPEC_RECORDING])["transcript_utterances"].to_pylist()[0]
    assert row["participant_name"] == "Alice"
    assert row["text"] == "Hello, let's start today's meeting."
    assert (row["start_relative_s"], row["end_relative_s"]) == (0.0, 3.2)
    assert row["start_at"] == STARTED
    assert row["end_at"] == STARTED + timedelta(seconds=3.2)


def test_utterance_times_are_null_when_the_recording_start_is_unknown():
    row = flatten_recordings([recording(started_at=None)])["transcript_utterances"].to_pylist()[0]
    assert (row["start_at"], row["end_at"]) == (None, None)
    assert row["end_relative_s"] == 3.2


def test_segment_and_word_positions_index_every_words_entry():
    transcript = [
        {"participant": {"name": "A"}, "words": [{"text": "a0"}, {"text": "a1"}], "language_code": "en"},
        {"participant": {"name": "B"}, "words": [], "language_code": "ko"},
        {"participant": {"name": "C"}, "words": [{"text": "c0"}], "language_code": "ko"},
    ]
    rows = flatten_recordings([recording(transcript=transcript)])["transcript_utterances"].to_pylist()
    assert [(r["segment_index"], r["word_index"], r["participant_name"], r["text"]) for r in rows] == [
        (0, 0, "A", "a0"),
        (0, 1, "A", "a1"),
        (2, 0, "C", "c0"),
    ]


def test_workspace_specific_summary_keys_are_kept_as_json():
    summary = {**SPEC_RECORDING["summary"], "sentiment": {"score": 0.7}, "next_steps": ["call", "quote"], "empty": None}
    rows = flatten_recordings([recording(summary=summary)])["summary_fields"].to_pylist()
    assert {r["field_name"]: orjson.loads(r["value_json"]) for r in rows} == {
        "sentiment": {"score": 0.7},
        "next_steps": ["call", "quote"],
        "empty": None,
    }


def test_unprocessed_recording_has_no_children_and_no_summary():
    tables = flatten_recordings([recording(status="processing", summary=None, transcript=None)])
    row = tables["recordings"].to_pylist()[0]
    assert (row["has_summary"], row["has_transcript"], row["topic_count"], row["utterance_count"]) == (False, False, 0, 0)
    assert all(tables[name].num_rows == 0 for name in tables if name != "recordings")


def test_summary_with_missing_keys_gives_nulls_and_zero_counts():
    row = flatten_recordings([recording(summary={"summary": "only text"})])["recordings"].to_pylist()[0]
    assert (row["summary_text"], row["detected_language"], row["topic_count"], row["action_item_count"]) == (
        "only text",
        None,
        0,
        0,
    )


def test_drifted_shapes_keep_every_text():
    drifted = recording(
        summary={"summary": 42, "topics": ["bare topic", None], "action_items": [{"who": "x"}, "Kim: call"]},
        transcript=[
            {"participant": "Bob", "words": {"text": "lone word"}},
            "loose text",
            {"participant": {"name": 7}, "words": [{"text": 3.5, "start_timestamp": {"relative": "1.5"}}]},
            None,
        ],
    )
    tables = flatten_recordings([drifted])
    assert tables["recordings"].column("summary_text").to_pylist() == ["42"]
    assert tables["recording_topics"].column("title").to_pylist() == ["bare topic", None]
    assert tables["recording_action_items"].column("text").to_pylist() == ['{"who":"x"}', "Kim: call"]
    utterances = tables["transcript_utterances"].to_pylist()
    assert [(u["participant_name"], u["text"]) for u in utterances] == [("Bob", "lone word"), (None, "loose text"), ("7", "3.5")]
    assert utterances[2]["start_relative_s"] == 1.5


def test_korean_emoji_quotes_and_newlines_survive_unchanged():
    text = '견적서 "최종본" 발송 🙂\n다음 주 화요일까지'
    words = [{"text": text, "start_timestamp": {"relative": 1.0}, "end_timestamp": {"relative": 2.0}}]
    detail = recording(transcript=[{"participant": {"name": "김민준"}, "words": words, "language_code": "ko"}])
    for tables in (flatten_recordings([detail]), flatten_recording_bodies([body(detail)])):
        assert tables["transcript_utterances"].column("text").to_pylist() == [text]


def test_bodies_and_decoded_details_flatten_identically():
    drifted = recording(id="drift", transcript=[{"participant": "Bob", "words": [{"text": 1}]}])
    details = [SPEC_RECORDING, recording(id="r2", summary=None), drifted]
    from_bodies = flatten_recording_bodies([body(d) for d in details])
    from_details = flatten_recordings(details)
    assert all(from_bodies[name].equals(from_details[name]) for name in from_details)


def test_pretty_printed_body_is_accepted():
    pretty = orjson.dumps({"data": SPEC_RECORDING}, option=orjson.OPT_INDENT_2)
    tables = flatten_recording_bodies([pretty])
    assert tables["transcript_utterances"].num_rows == 1


def test_recording_delivered_twice_keeps_the_later_copy():
    tables = flatten_recording_bodies([body(recording(status="processing")), body(recording(status="done"))])
    assert tables["recordings"].column("status").to_pylist() == ["done"]
    assert tables["recording_topics"].num_rows == 2


def test_invalid_json_body_is_rejected_naming_its_position():
    with pytest.raises(ValueError, match="recording body at position 1 is not valid JSON"):
        flatten_recording_bodies([body(SPEC_RECORDING), b'{"data": {'])


def test_body_without_data_object_is_rejected():
    with pytest.raises(ValueError, match="position 0 has no 'data' object"):
        flatten_recording_bodies([orjson.dumps(SPEC_RECORDING)])


def test_detail_without_id_is_rejected_naming_its_position():
    with pytest.raises(ValueError, match="recording detail at position 0 has no usable 'id'"):
        flatten_recordings([recording(id="")])


def test_outputs_match_the_spec_schemas_even_when_empty():
    for tables in (flatten_recordings([]), flatten_recording_bodies([])):
        for name, table in tables.items():
            assert table.schema.equals(TABLES[name].schema), name


def summary_fields_of(bodies: list[bytes]) -> list[tuple[str, str, str]]:
    table = flatten_recording_bodies(bodies)["summary_fields"]
    return sorted(zip(*(table.column(c).to_pylist() for c in ("recording_id", "field_name", "value_json"))))


def with_extras(recording_id: str, **extras) -> dict:
    return recording(id=recording_id, summary={**SPEC_RECORDING["summary"], **extras})


def test_summary_key_values_stay_exact_beside_other_types_in_the_batch():
    bodies = [body(with_extras("a", n=1, o={"x": 1})), body(with_extras("b", n=1.5, o={"y": [2, "z"]}))]
    assert summary_fields_of(bodies) == [
        ("a", "n", "1"),
        ("a", "o", '{"x":1}'),
        ("b", "n", "1.5"),
        ("b", "o", '{"y":[2,"z"]}'),
    ]


def test_summary_key_present_as_null_is_kept_and_an_absent_one_is_not():
    bodies = [body(with_extras("a", risk=None)), body(with_extras("b")), body(with_extras("c", risk="low"))]
    assert summary_fields_of(bodies) == [("a", "risk", "null"), ("c", "risk", '"low"')]


def test_summary_keys_from_a_spaced_and_ascii_escaping_encoder_are_exact():
    detail = with_extras("a", 결정사항=["예산 승인"], score=0.50, note="a/b")
    assert summary_fields_of([json.dumps({"data": detail}).encode()]) == [
        ("a", "note", '"a/b"'),
        ("a", "score", "0.5"),
        ("a", "결정사항", '["예산 승인"]'),
    ]


def test_unknown_keys_holding_lists_of_nulls_anywhere_do_not_break_flattening():
    words = [{"text": "hi", "start_timestamp": {"relative": 1.0}, "scores": [None, None]}]
    detail = with_extras("a", flags=[None])
    detail.update(x_0=[None, None], transcript=[{"participant": {"name": "A"}, "words": words, "tags": [None]}])
    tables = flatten_recording_bodies([body(recording(id="b")), body(detail)])
    assert tables["transcript_utterances"].column("text").to_pylist() == ["Hello, let's start today's meeting.", "hi"]
    assert summary_fields_of([body(detail)]) == [("a", "flags", "[null]")]
