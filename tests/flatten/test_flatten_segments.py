"""transcript_segments: one row per segment with words, cut from a recording's contiguous entries."""

from __future__ import annotations

import orjson
import pytest

from relate_pipeline.meetings.recordings import flatten_recording_bodies
from relate_pipeline.meetings.segments import transcript_segments
from relate_pipeline.tables import empty_table


def body(recording_id: str, transcript) -> bytes:
    return orjson.dumps({"data": {"id": recording_id, "status": "done", "transcript": transcript}})


def word(text, start, end):
    return {"text": text, "start_timestamp": {"relative": start}, "end_timestamp": {"relative": end}}


def test_segments_restart_runs_at_each_recording():
    tables = flatten_recording_bodies(
        [
            body("A", [{"participant": {"name": "X"}, "words": [word("a", 0, 1)]}, {"participant": {"name": "Y"}, "words": [word("b", 2, 3)]}]),
            body("B", [{"participant": {"name": "Y"}, "words": [word("c", 0, 1)]}]),
        ]
    )
    rows = tables["transcript_segments"].select(["recording_id", "segment_index", "run_index", "is_switch", "response_gap_seconds"])
    assert rows.to_pylist() == [
        {"recording_id": "A", "segment_index": 0, "run_index": 0, "is_switch": False, "response_gap_seconds": None},
        {"recording_id": "A", "segment_index": 1, "run_index": 1, "is_switch": True, "response_gap_seconds": 1.0},
        {"recording_id": "B", "segment_index": 0, "run_index": 0, "is_switch": False, "response_gap_seconds": None},
    ]


def test_no_transcript_entries_give_no_segments():
    assert transcript_segments(empty_table("transcript_utterances")).num_rows == 0


def test_entries_out_of_segment_order_are_refused_in_one_line():
    utterances = flatten_recording_bodies(
        [body("A", [{"participant": {"name": "X"}, "words": [word("a", 0, 1)]}, {"participant": {"name": "Y"}, "words": [word("b", 2, 3)]}])]
    )["transcript_utterances"]
    with pytest.raises(ValueError, match="each recording's entries together, in segment order"):
        transcript_segments(utterances.take([1, 0]))
