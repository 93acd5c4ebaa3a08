"""Calendar events and recordings on the shared (unchanged) emulator: exposure, order, filters, shapes."""

from __future__ import annotations

import datetime as dt

import pytest
from emulator_support import all_pages, data_of, error_of, instant, unix

EVENT_KEYS = ["id", "title", "start_at", "end_at", "conference_link", "conference_type", "attendees", "recordings",
              "created_at", "updated_at"]
RECORDING_BRIEF_KEYS = ["id", "status", "started_at", "ended_at", "audio_duration"]
RECORDING_KEYS = ["id", "calendar_event_id", "status", "started_at", "ended_at", "audio_duration", "summary", "transcript",
                  "created_at", "updated_at"]


@pytest.fixture(scope="module")
def listed(api) -> list[dict]:
    return all_pages(api, "/calendar_events")


def exposed_truth(truth) -> list[dict]:
    return [e for e in truth["calendar_events"] if e["exposed"]]


def ids(events) -> list[str]:
    return [e["id"] for e in events]


def test_listing_holds_exactly_the_events_with_a_done_recording(listed, truth):
    assert sorted(ids(listed)) == sorted(ids(exposed_truth(truth)))
    assert all(any(r["status"] == "done" for r in e["recordings"]) for e in listed)


def test_listing_is_sorted_by_start_time_latest_first_ties_by_id(listed):
    keys = [(-instant(e["start_at"]).timestamp(), e["id"]) for e in listed]
    assert keys == sorted(keys)


def test_event_without_a_done_recording_answers_404(api, truth):
    hidden = next(e for e in truth["calendar_events"] if not e["exposed"])
    assert "calendar event" in error_of(api.get(f"/calendar_events/{hidden['id']}"), 404)["message"]


def test_event_whose_only_recordings_failed_is_never_listed(listed, truth):
    failed_only = [e["id"] for e in truth["calendar_events"] if all(r["status"] == "failed" for r in e["recordings"])]
    assert failed_only and not set(failed_only) & set(ids(listed))


def test_retrieved_event_equals_its_listing_entry(api, listed):
    assert data_of(api.get(f"/calendar_events/{listed[0]['id']}")) == listed[0]


def test_event_and_recording_briefs_have_the_spec_keys_in_order(listed):
    assert all(list(e) == EVENT_KEYS for e in listed)
    assert all(list(r) == RECORDING_BRIEF_KEYS for e in listed for r in e["recordings"])


def test_event_times_carry_the_meeting_offset_and_recording_times_are_utc(listed):
    event = next(e for e in listed if e["start_at"].endswith("+09:00"))
    assert len(event["start_at"]) == len("2026-05-16T11:00:00.000+09:00")
    assert all(r["started_at"].endswith("Z") and r["ended_at"].endswith("Z") for r in event["recordings"])


def test_updated_after_is_strictly_after(api, listed):
    pivot = listed[len(listed) // 2]
    moment = unix(pivot["updated_at"])
    expected = {e["id"] for e in listed if unix(e["updated_at"]) > moment}
    got = ids(all_pages(api, "/calendar_events", updated_after=moment))
    assert pivot["id"] not in got and set(got) == expected


def test_updated_after_accepts_fractional_seconds(api, listed):
    pivot = listed[0]
    got = ids(all_pages(api, "/calendar_events", updated_after=unix(pivot["updated_at"]) - 0.0005))
    assert pivot["id"] in got


def test_starts_after_is_inclusive(api, listed):
    pivot = listed[len(listed) // 3]
    got = ids(all_pages(api, "/calendar_events", starts_after=unix(pivot["start_at"])))
    assert pivot["id"] in got and set(got) == {e["id"] for e in listed if unix(e["start_at"]) >= unix(pivot["start_at"])}


def test_starts_before_is_exclusive(api, listed):
    pivot = listed[len(listed) // 3]
    got = ids(all_pages(api, "/calendar_events", starts_before=unix(pivot["start_at"])))
    assert pivot["id"] not in got and set(got) == {e["id"] for e in listed if unix(e["start_at"]) < unix(pivot["start_at"])}


def test_start_window_selects_one_utc_day(api, listed):
    day = dt.datetime(2026, 5, 19, tzinfo=dt.timezone.utc)
    got = ids(all_pages(api, "/calendar_events", starts_after=day.timestamp(), starts_before=(day + dt.timedelta(days=1)).timestamp()))
    assert got == [e["id"] for e in listed if instant(e["start_at"]).astimezone(dt.timezone.utc).date() == day.date()]


def attendee_contact(truth, listed) -> tuple[dict, str]:
    """A contact who attends some listed event under an email written in a different case than stored."""
    for event in listed:
        for attendee in event["attendees"]:
            for contact in truth["contacts"]:
                for stored in contact["emails"]:
                    if stored != attendee["email"] and stored.lower() == attendee["email"].lower():
                        return contact, event["id"]
    raise AssertionError("the seeded workspace has no case-shifted attendee")


def test_contact_filter_matches_attendee_emails_case_insensitively(api, truth, listed):
    contact, event_id = attendee_contact(truth, listed)
    emails = {e.lower() for e in contact["emails"]}
    expected = [e["id"] for e in listed if {a["email"].lower() for a in e["attendees"]} & emails]
    got = ids(all_pages(api, "/calendar_events", contact_id=contact["id"]))
    assert event_id in got and got == expected


def test_organization_filter_matches_events_with_a_contact_of_that_organization(api, truth, listed):
    org_id = truth["contacts"][0]["organization_id"] or next(c["organization_id"] for c in truth["contacts"] if c["organization_id"])
    emails = {e.lower() for c in truth["contacts"] if c["organization_id"] == org_id for e in c["emails"]}
    expected = [e["id"] for e in listed if {a["email"].lower() for a in e["attendees"]} & emails]
    got = ids(all_pages(api, "/calendar_events", organization_id=org_id))
    assert got == expected


def test_unknown_contact_filter_answers_404_naming_the_contact(api):
    error = error_of(api.get("/calendar_events", params={"contact_id": "ZZZZZZ"}), 404)
    assert error["field"] == "contact_id" and "ZZZZZZ" in error["message"]


@pytest.mark.parametrize("param", ["updated_after", "starts_after", "starts_before"])
def test_non_numeric_timestamp_filter_is_a_bad_request_naming_it(api, param):
    assert error_of(api.get("/calendar_events", params={param: "yesterday"}), 400)["field"] == param


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_calendar_events_are_read_only(api, listed, method):
    path = "/calendar_events" if method == "POST" else f"/calendar_events/{listed[0]['id']}"
    response = api.request(method, path, json={})
    assert error_of(response, 405)["status"] == 405 and "GET" in response.headers["Allow"]


def test_recordings_are_read_only(api, listed):
    assert api.patch(f"/recordings/{listed[0]['recordings'][0]['id']}", json={}).status_code == 405


def test_there_is_no_recording_list_endpoint(api):
    assert api.get("/recordings").status_code == 404


def test_done_recording_detail_has_the_spec_keys_summary_and_transcript(api, listed):
    brief = next(r for e in listed for r in e["recordings"] if r["status"] == "done")
    detail = data_of(api.get(f"/recordings/{brief['id']}"))
    assert list(detail) == RECORDING_KEYS
    assert {"summary", "topics", "action_items", "detected_language"} <= set(detail["summary"])
    assert detail["transcript"][0]["words"][0]["start_timestamp"]["relative"] >= 0


def test_recording_detail_equals_the_ground_truth(api, truth, listed):
    brief = listed[-1]["recordings"][0]
    assert data_of(api.get(f"/recordings/{brief['id']}")) == truth["recordings"][brief["id"]]


@pytest.mark.parametrize("status", ["processing", "failed"])
def test_summary_and_transcript_are_null_unless_done(api, truth, status):
    recording_id = next(rid for rid, r in truth["recordings"].items() if r["status"] == status)
    detail = data_of(api.get(f"/recordings/{recording_id}"))
    assert detail["status"] == status and detail["summary"] is None and detail["transcript"] is None


def test_transcript_relative_timestamps_never_decrease(api, listed):
    brief = next(r for e in listed for r in e["recordings"] if r["status"] == "done")
    words = [w for segment in data_of(api.get(f"/recordings/{brief['id']}"))["transcript"] for w in segment["words"]]
    stamps = [t for w in words for t in (w["start_timestamp"]["relative"], w["end_timestamp"]["relative"])]
    assert stamps == sorted(stamps) and len(words) >= 100


def test_unknown_recording_answers_404_naming_the_recording(api):
    assert "recording 'ZZZZZZ'" in error_of(api.get("/recordings/ZZZZZZ"), 404)["message"]
