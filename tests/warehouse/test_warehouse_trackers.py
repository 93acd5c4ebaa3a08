"""tracker_mentions and tracker_stats over the hand-written conversation lake (conversation_samples).

R1's transcript, tokenised (segment: tokens):
    0 Alice Kim   hello there how are you
    1 alice  kim  good quote                       -> Quote "quot*" at token 1 (4.5 s)
    2 Bob Stone   fine thanks shall we start       -> Start "shall" at 2, "we start" at 3 (both 8.0 s)
    5 Alice Kim   right so ok                      -> Ack "ok" at 2 (12.0 s)
    6 (null)      hmm
    7 ""          yes                              -> Ack "yes" at 0 (15.5 s), unnamed: unresolved
    8 Bob Stone   unknown
    9 Alice Kim   bye
Alice Kim resolves to alice.kim@acme.com (c1, external), Bob Stone to bob@relate.so (c4, internal).
"""

from __future__ import annotations

import pytest
from conversation_samples import TRACKERS, query_rows, write_conversation_lake

from relate_pipeline.meetings.tracker_days import apply_trackers


@pytest.fixture(scope="module")
def db(conversation_db):
    return conversation_db


def test_each_mention_carries_its_speakers_attendee(db):
    rows = query_rows(
        db,
        "SELECT tracker, phrase, segment_index, token_index, participant_name, start_relative_s, email, contact_id, is_internal "
        "FROM tracker_mentions WHERE recording_id = 'R1' ORDER BY segment_index, token_index, tracker",
    )
    assert [tuple(row.values()) for row in rows] == [
        ("Quote", "quot*", 1, 1, "alice  kim", 4.5, "alice.kim@acme.com", "c1", False),
        ("Start", "shall", 2, 2, "Bob Stone", 8.0, "bob@relate.so", "c4", True),
        ("Start", "we start", 2, 3, "Bob Stone", 8.0, "bob@relate.so", "c4", True),
        ("Ack", "ok", 5, 2, "Alice Kim", 12.0, "alice.kim@acme.com", "c1", False),
        ("Ack", "yes", 7, 0, "", 15.5, None, None, None),
    ]


def test_stats_count_each_side_and_leave_unresolved_speakers_out_of_both(db):
    rows = query_rows(db, "SELECT * EXCLUDE (date) FROM tracker_stats WHERE recording_id = 'R1' ORDER BY tracker")
    assert [tuple(row.values()) for row in rows] == [
        ("R1", "E1", "Ack", 2, 0, 1, 12.0),
        ("R1", "E1", "Quote", 1, 0, 1, 4.5),
        ("R1", "E1", "Start", 2, 2, 0, 8.0),
    ]


def test_a_recording_without_mentions_has_no_stats_rows(db):
    assert db.execute("SELECT count(*) FROM tracker_stats WHERE recording_id IN ('R2', 'R4')").fetchone() == (0,)


def test_the_definitions_are_kept_once_every_day_has_their_mentions(tmp_path):
    lake = write_conversation_lake(str(tmp_path / "lake"))
    assert apply_trackers(lake, TRACKERS) == []
    assert lake.read_snapshot("tracker_definitions").equals(TRACKERS.definitions())


def test_the_definitions_are_in_the_warehouse(db):
    assert db.execute("SELECT tracker, phrase FROM tracker_definitions ORDER BY tracker_index, phrase_index").fetchall() == [
        ("Quote", "quot*"), ("Start", "shall"), ("Start", "we start"), ("Ack", "yes"), ("Ack", "ok"),
    ]
