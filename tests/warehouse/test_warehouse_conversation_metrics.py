"""Talk, questions, runs, switches and response gaps, against values worked out by hand (see conversation_samples)."""

from __future__ import annotations

import pytest
from conversation_samples import query_rows

R1_TALK = 6.0 + 4.2 + 1.5  # Alice Kim, Bob Stone, the unnamed speaker


def speakers(db, recording_id: str) -> dict:
    rows = query_rows(db, "SELECT * FROM speaker_stats WHERE recording_id = ?", [recording_id])
    return {row["participant_name"]: row for row in rows}


def recording(db, recording_id: str) -> dict:
    (row,) = query_rows(db, "SELECT * FROM recording_stats WHERE recording_id = ?", [recording_id])
    return row


def test_talk_seconds_sum_only_countable_entries(conversation_db):
    talk = {name: row["talk_seconds"] for name, row in speakers(conversation_db, "R1").items()}
    # Alice Kim: 2.0 + 1.5 + 0.5 + 1.0 (ok; not "Right" with no start nor "so" ending before it starts) + 1.0.
    assert talk == {"Alice Kim": pytest.approx(6.0), "Bob Stone": pytest.approx(4.2), None: pytest.approx(1.5)}


def test_talk_share_is_talk_over_the_recordings_total(conversation_db):
    share = {name: row["talk_share"] for name, row in speakers(conversation_db, "R1").items()}
    assert share == {
        "Alice Kim": pytest.approx(6.0 / R1_TALK),
        "Bob Stone": pytest.approx(4.2 / R1_TALK),
        None: pytest.approx(1.5 / R1_TALK),
    }


def test_entries_count_whether_countable_or_not(conversation_db):
    counts = {name: row["word_entry_count"] for name, row in speakers(conversation_db, "R1").items()}
    assert counts == {"Alice Kim": 7, "Bob Stone": 3, None: 2}


def test_questions_end_with_an_ascii_or_full_width_mark_after_trimming(conversation_db):
    questions = {name: row["question_count"] for name, row in speakers(conversation_db, "R1").items()}
    # Bob: "Fine, thanks？" and "Shall we start? " (trailing space); Alice: "How are you?"; unnamed: "hmm?".
    assert questions == {"Alice Kim": 1, "Bob Stone": 2, None: 1}
    assert recording(conversation_db, "R1")["question_count"] == 4


def test_adjacent_segments_of_one_speaker_form_one_run(conversation_db):
    longest = {name: row["longest_monologue_seconds"] for name, row in speakers(conversation_db, "R1").items()}
    # Alice's first run is segments 0 and 1: 5.0 - 0.0. Bob's is 9.0 - 4.8; the unnamed speaker's 16.0 - 14.0.
    assert longest == {"Alice Kim": pytest.approx(5.0), "Bob Stone": pytest.approx(4.2), None: pytest.approx(2.0)}


def test_recording_longest_monologue_names_its_speaker(conversation_db):
    row = recording(conversation_db, "R1")
    assert (row["longest_monologue_seconds"], row["longest_monologue_participant"]) == (pytest.approx(5.0), "Alice Kim")


def test_longest_monologue_tie_names_the_speaker_of_the_earliest_tied_run(conversation_db):
    row = recording(conversation_db, "R2")
    assert (row["longest_monologue_seconds"], row["longest_monologue_participant"]) == (pytest.approx(1.0), "Alice")


def test_switches_skip_segments_without_words_and_treat_null_and_empty_names_as_one_speaker(conversation_db):
    # Segments with words: 0 1 | 2 | 5 | 6 7 | 8 | 9 -> five changes of speaker.
    assert recording(conversation_db, "R1")["speaker_switches"] == 5


def test_transcript_seconds_span_countable_entries(conversation_db):
    assert recording(conversation_db, "R1")["transcript_seconds"] == pytest.approx(21.0)


def test_switches_per_minute_divide_by_the_transcript_span(conversation_db):
    assert recording(conversation_db, "R1")["switches_per_minute"] == pytest.approx(5 / (21.0 / 60))
    assert recording(conversation_db, "R2")["switches_per_minute"] == pytest.approx(7 / (15.0 / 60))


def test_response_gaps_clip_overlaps_at_zero_and_skip_segments_without_countable_entries(conversation_db):
    # Switch 1 -> 2: 4.8 - 5.0 clipped to 0; 2 -> 5: 12.0 - 9.0; 5 -> 6: 14.0 - 13.0; both switches touching segment 8 skipped.
    assert recording(conversation_db, "R1")["mean_response_gap_seconds"] == pytest.approx((0.0 + 3.0 + 1.0) / 3)


def test_internal_talk_share_counts_speakers_resolved_as_internal(conversation_db):
    assert recording(conversation_db, "R1")["internal_talk_share"] == pytest.approx(4.2 / R1_TALK)
    assert recording(conversation_db, "R2")["internal_talk_share"] == pytest.approx(1.0 / 8.0)


def test_unresolved_speaker_counts_as_not_internal(conversation_db):
    row = recording(conversation_db, "R3")
    assert (row["internal_talk_share"], row["talk_seconds"], row["speaker_switches"]) == (0.0, pytest.approx(1.0), 0)
    assert (row["switches_per_minute"], row["mean_response_gap_seconds"]) == (0.0, None)


def test_recording_totals_add_up_its_speakers(conversation_db):
    row = recording(conversation_db, "R1")
    assert (row["speaker_count"], row["talk_seconds"]) == (3, pytest.approx(R1_TALK))
    assert (row["event_id"], row["date"].isoformat()) == ("E1", "2026-05-16")


def test_recording_without_a_transcript_has_zeros_and_nulls(conversation_db):
    row = recording(conversation_db, "R4")
    assert {k: v for k, v in row.items() if k not in ("recording_id", "event_id", "date")} == {
        "speaker_count": 0,
        "talk_seconds": 0.0,
        "transcript_seconds": 0.0,
        "speaker_switches": 0,
        "switches_per_minute": None,
        "longest_monologue_seconds": 0.0,
        "longest_monologue_participant": None,
        "mean_response_gap_seconds": None,
        "question_count": 0,
        "internal_talk_share": None,
    }


def test_every_fetched_recording_has_one_row(conversation_db):
    assert conversation_db.execute("SELECT recording_id FROM recording_stats ORDER BY 1").fetchall() == [("R1",), ("R2",), ("R3",), ("R4",)]


def test_speaker_rows_carry_the_meeting(conversation_db):
    rows = conversation_db.execute("SELECT DISTINCT recording_id, event_id, date::VARCHAR FROM speaker_stats ORDER BY 1").fetchall()
    assert rows == [("R1", "E1", "2026-05-16"), ("R2", "E1", "2026-05-16"), ("R3", "E2", "2026-05-17")]
