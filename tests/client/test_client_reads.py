"""Every read endpoint through RelateClient, checked against the emulator's ground truth."""

from __future__ import annotations

from datetime import date, datetime

import orjson
import pytest

from relate_pipeline.client import NotFoundError, ValidationError, day_window


@pytest.fixture(scope="module")
def truth(emulator):
    return emulator.admin.snapshot()


def _by_id(objects):
    return {obj["id"]: obj for obj in objects}


def _unix(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _exposed_events(truth):
    events = [event for event in truth["calendar_events"] if event["exposed"]]
    return sorted(events, key=lambda e: (-_unix(e["start_at"]), e["id"]))


def test_list_contacts_returns_every_contact(client, truth):
    assert _by_id(client.list_contacts()) == _by_id(truth["contacts"])


def test_get_contact_returns_the_unwrapped_contact(client, truth):
    contact = truth["contacts"][0]
    assert client.get_contact(contact["id"]) == contact


def test_find_contacts_by_email_ignores_case(client, truth):
    contact = next(c for c in truth["contacts"] if c["emails"])
    found = client.find_contacts(email=contact["emails"][0].swapcase())
    assert [c["id"] for c in found] == [contact["id"]]


def test_find_contacts_by_phone_number_matches_another_format(client, truth):
    contact = next(c for c in truth["contacts"] if c["phone_numbers"])
    digits = "".join(ch for ch in contact["phone_numbers"][0] if ch.isdigit())
    local = "0" + digits[2:] if digits.startswith("82") else digits
    found = client.find_contacts(phone_number=local)
    assert contact["id"] in [c["id"] for c in found]


def test_find_contacts_needs_exactly_one_criterion(client):
    with pytest.raises(ValueError, match="exactly one of email= or phone_number="):
        client.find_contacts(email="a@b.example", phone_number="010")


def test_list_organizations_returns_every_organization(client, truth):
    assert _by_id(client.list_organizations()) == _by_id(truth["organizations"])


def test_get_organization_returns_the_unwrapped_organization(client, truth):
    organization = truth["organizations"][-1]
    assert client.get_organization(organization["id"]) == organization


def test_list_notes_returns_every_note(client, truth):
    assert _by_id(client.list_notes()) == _by_id(truth["notes"])


def test_get_note_returns_the_unwrapped_note(client, truth):
    note = truth["notes"][0]
    assert client.get_note(note["id"]) == note


def test_list_custom_fields_returns_every_field(client, truth):
    assert _by_id(client.list_custom_fields()) == _by_id(truth["custom_fields"])


def test_get_custom_field_returns_the_unwrapped_field(client, truth):
    field = truth["custom_fields"][0]
    assert client.get_custom_field(field["id"]) == field


def test_list_lists_returns_lists_and_processes(client, truth):
    lists = _by_id(client.list_lists())
    assert lists == _by_id(truth["lists"])
    assert {item["process"] for item in lists.values()} == {True, False}


def test_get_list_returns_the_bare_process_object(client, truth):
    process = next(item for item in truth["lists"] if item["process"])
    assert client.get_list(process["id"]) == process


def test_list_entries_returns_every_entry_of_a_list(client, truth):
    list_id, entries = next((k, v) for k, v in truth["entries"].items() if v)
    assert _by_id(client.list_entries(list_id)) == _by_id(entries)


def test_get_entry_returns_the_unwrapped_entry(client, truth):
    list_id, entries = next((k, v) for k, v in truth["entries"].items() if v)
    assert client.get_entry(list_id, entries[0]["id"]) == entries[0]


def test_list_calendar_events_returns_exposed_events_newest_first(client, truth):
    listed = [event["id"] for event in client.list_calendar_events()]
    assert listed == [event["id"] for event in _exposed_events(truth)]


def test_list_calendar_events_window_returns_only_that_day(client, truth):
    starts_after, starts_before = day_window(date(2026, 5, 19), date(2026, 5, 19), "UTC")
    events = client.list_calendar_events(starts_after=starts_after, starts_before=starts_before)
    listed = {e["id"] for e in events}
    expected = {
        e["id"]
        for e in _exposed_events(truth)
        if starts_after <= _unix(e["start_at"]) < starts_before
    }
    assert listed == expected and listed


def test_list_calendar_events_by_contact_includes_only_their_meetings(client, truth):
    event = _exposed_events(truth)[0]
    attendee_emails = {a["email"].lower() for a in event["attendees"]}
    contact = next(
        c for c in truth["contacts"] if attendee_emails & {m.lower() for m in c["emails"]}
    )
    listed = list(client.list_calendar_events(contact_id=contact["id"]))
    emails = {m.lower() for m in contact["emails"]}
    assert event["id"] in {e["id"] for e in listed}
    assert all(emails & {a["email"].lower() for a in e["attendees"]} for e in listed)


def test_list_calendar_events_updated_after_excludes_older_updates(client, truth):
    stamps = sorted(_unix(e["updated_at"]) for e in _exposed_events(truth))
    cutoff = int(stamps[len(stamps) // 2])
    newer = list(client.list_calendar_events(updated_after=cutoff))
    assert len(newer) == sum(stamp > cutoff for stamp in stamps)
    assert all(_unix(e["updated_at"]) > cutoff for e in newer)


def test_updated_after_is_sent_in_whole_seconds_rounded_down(client, truth):
    """A fractional bound would drop an event updated earlier in that same second."""
    event = next(e for e in _exposed_events(truth) if _unix(e["updated_at"]) % 1)
    stamp = _unix(event["updated_at"])
    listed = {e["id"] for e in client.list_calendar_events(updated_after=stamp)}
    assert event["id"] in listed
    assert listed == {
        e["id"] for e in _exposed_events(truth) if _unix(e["updated_at"]) > int(stamp)
    }


def test_get_calendar_event_includes_its_recordings(client):
    event = next(iter(client.list_calendar_events()))
    detail = client.get_calendar_event(event["id"])
    assert detail["id"] == event["id"]
    assert [r["id"] for r in detail["recordings"]] == [r["id"] for r in event["recordings"]]


def test_get_recording_returns_the_unwrapped_detail(client, truth):
    recording_id, detail = next(
        (k, v) for k, v in truth["recordings"].items() if v["status"] == "done"
    )
    assert client.get_recording(recording_id) == detail


def test_get_recording_raw_returns_the_exact_body_with_envelope(client, truth):
    recording_id, detail = next(
        (k, v) for k, v in truth["recordings"].items() if v["status"] == "done"
    )
    raw = client.get_recording_raw(recording_id)
    assert isinstance(raw, bytes)
    assert orjson.loads(raw) == {"data": detail}


def test_bad_query_parameter_is_a_validation_error_naming_it(client):
    with pytest.raises(ValidationError) as caught:
        list(client.list_contacts(first=-1))
    assert (caught.value.status, caught.value.field) == (400, "first")


def test_unknown_recording_raises_not_found_with_path(client):
    with pytest.raises(NotFoundError) as caught:
        client.get_recording("zzzzzz")
    assert caught.value.path == "/v1/recordings/zzzzzz"
    assert caught.value.status == 404


def test_id_with_a_slash_is_encoded_and_cannot_reach_another_endpoint(client):
    with pytest.raises(NotFoundError) as caught:
        client.get_contact("../notes")
    assert caught.value.path == "/v1/contacts/..%2Fnotes"
