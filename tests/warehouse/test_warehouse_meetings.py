from __future__ import annotations


def rows(db, sql: str, params=()) -> list[dict]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_meetings_have_one_row_per_fetched_done_recording(db):
    pairs = db.execute("SELECT event_id, recording_id FROM meetings ORDER BY ALL").fetchall()
    assert pairs == [("E1", "R1"), ("E2", None), ("E3", "R4"), ("E3", "R5")]


def test_meeting_lists_distinct_external_organizations_sorted(db):
    (meeting,) = rows(db, "SELECT * FROM meetings WHERE event_id = 'E1'")
    assert meeting["organization_ids"] == ["o-acme", "o-beta", "o-gamma"]
    assert meeting["organization_names"] == ["Acme", "Beta", "Gamma"]


def test_meeting_counts_internal_and_external_participants(db):
    (meeting,) = rows(db, "SELECT * FROM meetings WHERE event_id = 'E1'")
    assert (meeting["attendee_count"], meeting["internal_participant_count"], meeting["external_participant_count"]) == (5, 1, 4)


def test_meeting_carries_summary_and_duration(db):
    (meeting,) = rows(db, "SELECT * FROM meetings WHERE event_id = 'E1'")
    assert (meeting["summary_text"], meeting["action_item_count"], meeting["duration_minutes"]) == ("summary of R1", 2, 60.0)
    assert meeting["recording_status"] == "done"


def test_event_without_a_fetched_recording_is_kept_once_with_null_recording(db):
    (meeting,) = rows(db, "SELECT * FROM meetings WHERE event_id = 'E2'")
    assert (meeting["recording_id"], meeting["summary_text"], meeting["organization_ids"]) == (None, None, ["o-tie-a"])


def test_internal_attendees_organizations_are_left_out_of_the_lists(db):
    lists = db.execute("SELECT recording_id, organization_ids FROM meetings WHERE event_id = 'E3' ORDER BY 1").fetchall()
    assert lists == [("R4", ["o-beta"]), ("R5", ["o-beta"])]


def test_action_items_carry_their_meeting_and_organizations(db):
    items = rows(db, "SELECT * FROM action_items ORDER BY recording_id, item_index")
    assert [(i["recording_id"], i["owner"], i["task"], i["event_id"]) for i in items] == [
        ("R1", "Alice", "send the quote", "E1"),
        ("R1", None, "Check the contract", "E1"),
        ("R4", "Carol", "share the deck", "E3"),
    ]
    assert items[0]["organization_names"] == ["Acme", "Beta", "Gamma"]
    assert items[0]["title"] == "Meeting E1"


def test_transcripts_carry_meeting_title_and_date(db):
    lines = rows(db, "SELECT * FROM transcripts WHERE recording_id = 'R1' ORDER BY word_index")
    assert [(line["text"], line["title"], line["date"].isoformat()) for line in lines] == [
        ("hello", "Meeting E1", "2026-05-16"),
        ("안녕하세요", "Meeting E1", "2026-05-16"),
    ]
