from __future__ import annotations


def participant(db, email: str) -> dict:
    cursor = db.execute(
        "SELECT * FROM meeting_participants WHERE email = ? AND event_id IN ('E1', 'E2')", [email]
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    assert len(rows) == 1, rows
    return rows[0]


def test_attendee_matches_a_contact_email_ignoring_case(db):
    row = participant(db, "alice@acme.com")
    assert (row["match_type"], row["contact_id"], row["contact_name"]) == ("contact_email", "c2", "Alice Kim")
    assert (row["organization_id"], row["organization_name"]) == ("o-acme", "Acme")


def test_attendee_without_a_contact_matches_an_organization_by_domain(db):
    row = participant(db, "carol@beta.io")
    assert (row["match_type"], row["contact_id"], row["organization_id"]) == ("organization_domain", None, "o-beta")


def test_email_shared_by_contacts_takes_the_smallest_contact_id_once(db):
    row = participant(db, "shared@gamma.com")
    assert (row["contact_id"], row["organization_id"]) == ("c4", "o-gamma")


def test_domain_shared_by_organizations_takes_the_smallest_organization_id(db):
    row = participant(db, "x@tie.com")
    assert (row["match_type"], row["organization_id"], row["organization_name"]) == ("organization_domain", "o-tie-a", "Tie A")


def test_attendee_matching_nothing_is_kept_with_match_type_none(db):
    row = participant(db, "nobody@unknown.org")
    assert (row["match_type"], row["contact_id"], row["organization_id"], row["is_internal"]) == ("none", None, None, False)


def test_attendee_on_an_internal_domain_is_flagged_internal(db):
    flags = dict(db.execute("SELECT email, is_internal FROM meeting_participants WHERE event_id = 'E1'").fetchall())
    assert [email for email, internal in flags.items() if internal] == ["me@relate.so"]


def test_every_attendee_appears_exactly_once(db):
    assert db.execute("SELECT count(*) FROM meeting_participants").fetchone() == db.execute(
        "SELECT count(*) FROM event_attendees"
    ).fetchone()
    (duplicates,) = db.execute(
        "SELECT count(*) FROM (SELECT event_id, attendee_index FROM meeting_participants GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    assert duplicates == 0


def test_participant_carries_the_meeting_start(db):
    (start_at,) = db.execute("SELECT DISTINCT start_at FROM meeting_participants WHERE event_id = 'E1'").fetchone()
    assert start_at.isoformat().startswith("2026-05-16T01:00:00")
