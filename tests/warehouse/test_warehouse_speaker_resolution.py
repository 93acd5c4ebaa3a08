"""Speakers and action-item owners resolve to at most one attendee, by the first rule that yields exactly one."""

from __future__ import annotations

import pytest
from conversation_samples import query_rows


def speaker(db, recording_id: str, participant_name: str | None) -> dict:
    rows = query_rows(
        db, "SELECT * FROM speaker_stats WHERE recording_id = ? AND participant_name IS NOT DISTINCT FROM ?", [recording_id, participant_name]
    )
    assert len(rows) == 1, rows
    return rows[0]


def resolution(row: dict) -> tuple:
    return row["match_method"], row["email"], row["contact_id"], row["organization_id"], row["is_internal"]


def test_full_name_of_the_contact_resolves_the_speaker(conversation_db):
    assert resolution(speaker(conversation_db, "R1", "Alice Kim")) == ("full_name", "alice.kim@acme.com", "c1", "o-acme", False)


def test_full_name_ignores_case_and_extra_whitespace(conversation_db):
    assert resolution(speaker(conversation_db, "R2", "ALICE PARK")) == ("full_name", "apark@acme.com", "c2", "o-acme", False)


def test_full_name_is_case_folded_so_a_sharp_s_matches_ss(conversation_db):
    row = speaker(conversation_db, "R2", "  JÜRGEN   GROSS ")
    assert resolution(row) == ("full_name", "juergen@gross.de", "c5", "o-gross", False)


def test_first_name_resolves_when_exactly_one_attendee_has_it(conversation_db):
    assert resolution(speaker(conversation_db, "R2", "Bob")) == ("first_name", "bob@relate.so", "c4", "o-relate", True)


def test_two_attendees_with_the_same_first_name_fall_through_to_the_email_rule(conversation_db):
    # alice.kim@ splits into [alice, kim]; apark@ does not contain "alice".
    assert resolution(speaker(conversation_db, "R2", "Alice")) == ("email", "alice.kim@acme.com", "c1", "o-acme", False)


def test_two_attendees_matching_by_first_name_and_by_email_leave_the_speaker_unresolved(conversation_db):
    assert resolution(speaker(conversation_db, "R3", "Alice")) == ("none", None, None, None, None)


def test_attendee_who_is_not_a_contact_resolves_by_email_with_the_domains_organization(conversation_db):
    assert resolution(speaker(conversation_db, "R2", "Dana")) == ("email", "dana.lee@beta.io", None, "o-beta", False)


def test_korean_given_name_resolves_by_first_name(conversation_db):
    assert resolution(speaker(conversation_db, "R2", "민수")) == ("first_name", "minsu@hanbit.kr", "c3", "o-hanbit", False)


def test_korean_family_name_first_is_not_the_contacts_first_and_last_name(conversation_db):
    # The contact's full name is "민수 김"; "김민수" is one token that is neither it nor its first name.
    assert resolution(speaker(conversation_db, "R2", "김민수")) == ("none", None, None, None, None)


def test_speaker_not_among_the_attendees_is_unresolved(conversation_db):
    assert resolution(speaker(conversation_db, "R2", "Zed Unknown")) == ("none", None, None, None, None)


def test_null_and_empty_names_are_one_unresolved_speaker(conversation_db):
    (row,) = query_rows(conversation_db, "SELECT * FROM speaker_stats WHERE recording_id = 'R1' AND participant_name IS NULL")
    assert resolution(row) == ("none", None, None, None, None)
    assert row["word_entry_count"] == 2


def test_segment_without_words_adds_no_speaker(conversation_db):
    names = [r[0] for r in conversation_db.execute("SELECT participant_name FROM speaker_stats WHERE recording_id = 'R1' ORDER BY 1").fetchall()]
    assert names == ["Alice Kim", "Bob Stone", None]


def test_spelling_variants_of_one_speaker_are_one_row_named_as_first_written(conversation_db):
    rows = conversation_db.execute(
        "SELECT participant_name, word_entry_count FROM speaker_stats WHERE recording_id = 'R1' AND email = 'alice.kim@acme.com'"
    ).fetchall()
    assert rows == [("Alice Kim", 7)]


@pytest.mark.parametrize(
    ("item_index", "owner", "expected"),
    [
        (0, "Alice", ("email", "alice.kim@acme.com", "c1")),
        (1, "Bob Stone", ("full_name", "bob@relate.so", "c4")),
        (2, None, ("none", None, None)),
        (3, "민수", ("first_name", "minsu@hanbit.kr", "c3")),
        (4, "Zed", ("none", None, None)),
    ],
)
def test_action_item_owner_resolves_by_the_same_rules(conversation_db, item_index, owner, expected):
    (row,) = query_rows(conversation_db, "SELECT * FROM action_items WHERE recording_id = 'R1' AND item_index = ?", [item_index])
    assert row["owner"] == owner
    assert (row["owner_match_method"], row["owner_email"], row["owner_contact_id"]) == expected


def test_action_item_owner_among_two_alices_is_unresolved(conversation_db):
    (row,) = query_rows(conversation_db, "SELECT * FROM action_items WHERE recording_id = 'R3'")
    assert (row["owner"], row["owner_match_method"], row["owner_email"]) == ("Alice", "none", None)


def test_action_item_owner_carries_organization_and_internal_flag(conversation_db):
    rows = conversation_db.execute(
        "SELECT item_index, owner_organization_id, owner_is_internal FROM action_items WHERE recording_id = 'R1' ORDER BY 1"
    ).fetchall()
    assert rows == [(0, "o-acme", False), (1, "o-relate", True), (2, None, None), (3, "o-hanbit", False), (4, None, None)]
