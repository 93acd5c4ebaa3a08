"""deals, deal_meetings and deal_activity over the conversation lake's processes (conversation_samples).

E1 (2026-05-16T01:00Z) has external attendees of Acme (alice.kim, apark), Beta (dana.lee), 한빛 and
Gross; E2 (2026-05-17T01:00Z) of Acme only; bob@relate.so is internal. Talk: E1's R1 11.7 s (Alice Kim,
Acme, 6.0 s) and R2 8 s (one second each; Alice and ALICE PARK resolve to Acme, Dana to Beta); E2's
R3 1 s by "Alice", unresolved (two Acme Alices). Action items: R1 5, R3 1.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

E1 = datetime(2026, 5, 16, 1, tzinfo=timezone.utc)
E2 = datetime(2026, 5, 17, 1, tzinfo=timezone.utc)


def test_every_entry_of_a_process_is_a_deal_and_plain_lists_are_not(conversation_db):
    rows = conversation_db.execute(
        "SELECT deal_id, deal_key, process_id, process_name, organization_id, contact_id, status, status_type FROM deals ORDER BY deal_id"
    ).fetchall()
    assert rows == [
        ("DA", "DEAL-1", "P1", "Sales", "o-acme", None, "Completed", "won"),
        ("DB", "DEAL-2", "P1", "Sales", "o-acme", None, "Started", "active"),
        ("DC", "PART-1", "P2", "Partners", "o-acme", "c1", "Canceled", "lost"),  # the contact's organization
        ("DD", "DEAL-3", "P1", "Sales", "o-beta", None, "Completed", "won"),
        ("DE", "DEAL-4", "P1", "Sales", "o-relate", None, "Started", "active"),
    ]


@pytest.mark.parametrize(
    ("deal", "meetings"),
    [
        ("DA", [E1, E2]),  # created exactly at E1's start, closed exactly at E2's: both ends count
        ("DB", [E2]),  # created a microsecond after E1 started
        ("DC", [E1]),  # closed a second before E2 started
        ("DD", [E1]),  # Beta was at E1 only
        ("DE", []),  # its organization's only attendee is internal
    ],
)
def test_a_deals_meetings_are_those_with_its_organization_inside_its_window(conversation_db, deal, meetings):
    found = conversation_db.execute("SELECT start_at FROM deal_meetings WHERE deal_id = ? ORDER BY start_at", [deal]).fetchall()
    assert [row[0] for row in found] == meetings


def test_activity_counts_meetings_items_and_their_share_of_the_talk(conversation_db):
    rows = conversation_db.execute(
        "SELECT deal_id, meetings, first_meeting_at, last_meeting_at, action_items, round(their_talk_share, 6) FROM deal_activity ORDER BY deal_id"
    ).fetchall()
    assert rows == [
        ("DA", 2, E1, E2, 6, round(8.0 / 20.7, 6)),
        ("DB", 1, E2, E2, 1, 0.0),
        ("DC", 1, E1, E1, 5, round(8.0 / 19.7, 6)),
        ("DD", 1, E1, E1, 5, round(1.0 / 19.7, 6)),
        ("DE", 0, None, None, 0, None),
    ]
