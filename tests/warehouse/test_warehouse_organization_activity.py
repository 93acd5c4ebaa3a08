"""What a sales lead opens first: per organization met, the meetings, talk and action items (hand-computed)."""

from __future__ import annotations

from datetime import date

import pytest
from conversation_samples import query_rows

from relate_pipeline.warehouse.conversation import conversation_summary

E1_TALK = 11.7 + 8.0  # R1 and R2


def organizations(db) -> dict[str, dict]:
    return {row["organization_id"]: row for row in query_rows(db, "SELECT * FROM organization_activity")}


def test_only_external_organizations_are_listed(conversation_db):
    assert sorted(organizations(conversation_db)) == ["o-acme", "o-beta", "o-gross", "o-hanbit"]


def test_meetings_and_when_they_were_met(conversation_db):
    acme = organizations(conversation_db)["o-acme"]
    assert (acme["organization_name"], acme["meetings"]) == ("Acme", 2)
    assert (acme["first_met"].isoformat(), acme["last_met"].isoformat()) == ("2026-05-16T01:00:00+00:00", "2026-05-17T01:00:00+00:00")


def test_their_talk_is_what_speakers_resolved_to_their_people_said(conversation_db):
    acme = organizations(conversation_db)["o-acme"]
    # R1 Alice Kim 6.0, R2 "Alice" (by email) 1.0 and "ALICE PARK" 1.0; R3's "Alice" is unresolved.
    assert (acme["talk_seconds"], acme["their_talk_seconds"]) == (pytest.approx(E1_TALK + 1.0), pytest.approx(8.0))
    assert acme["their_talk_share"] == pytest.approx(8.0 / (E1_TALK + 1.0))
    beta = organizations(conversation_db)["o-beta"]
    assert beta["their_talk_share"] == pytest.approx(1.0 / E1_TALK)


def test_action_items_of_their_meetings_split_by_whose_they_are(conversation_db):
    counts = {
        org: (row["action_items"], row["their_action_items"], row["our_action_items"])
        for org, row in organizations(conversation_db).items()
    }
    assert counts == {"o-acme": (6, 1, 1), "o-beta": (5, 0, 1), "o-hanbit": (5, 1, 1), "o-gross": (5, 0, 1)}


def test_summary_counts_meetings_talk_and_resolution_over_all_days(conversation_db):
    summary = conversation_summary(conversation_db)
    assert (summary.meetings, summary.recordings) == (2, 4)
    assert summary.talk_seconds == pytest.approx(E1_TALK + 1.0)
    # Resolved: R1 Alice Kim 6.0 and Bob Stone 4.2; in R2 all but 김민수 and Zed Unknown (6 x 1.0).
    assert summary.resolution_rate == pytest.approx(16.2 / (E1_TALK + 1.0))
    assert summary.top_organizations[0] == ("Acme", 2, pytest.approx(8.0 / (E1_TALK + 1.0)))
    assert [name for name, _, _ in summary.top_organizations] == ["Acme", "Beta", "Gross", "한빛"]


def test_summary_of_one_day_covers_only_its_meetings(conversation_db):
    summary = conversation_summary(conversation_db, date(2026, 5, 17), date(2026, 5, 17))
    assert (summary.meetings, summary.recordings, summary.talk_seconds, summary.resolution_rate) == (1, 2, pytest.approx(1.0), 0.0)
    assert summary.top_organizations == [("Acme", 1, 0.0)]


def test_summary_markdown_names_the_days_and_tabulates_organizations(conversation_db):
    text = conversation_summary(conversation_db, date(2026, 5, 16), date(2026, 5, 17)).markdown()
    assert text.splitlines()[0] == (
        "**2026-05-16 – 2026-05-17**: 2 meetings, 4 recordings, 0.0 talk hours; 78.3% of talk time resolved to an attendee."
    )
    assert "| Acme | 2 | 39% |" in text.splitlines()


def test_summary_without_talk_says_so(conversation_db):
    summary = conversation_summary(conversation_db, date(2026, 1, 1), date(2026, 1, 2))
    assert summary.resolution_rate is None
    assert summary.markdown() == "**2026-01-01 – 2026-01-02**: 0 meetings, 0 recordings, 0.0 talk hours; no transcript talk."
