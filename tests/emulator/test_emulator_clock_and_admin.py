"""The controllable clock, late arrivals, and the admin changes, each on a fresh_emulator emulator."""

from __future__ import annotations

import datetime as dt

import pytest
from emulator_support import all_pages, api_client, data_of, error_of, instant

from relate_pipeline.emulator import EmulatorAdminError

UTC = dt.timezone.utc


EMULATOR = dict(seed=7, days=3, end_date="2026-05-20", meetings_per_day=12, contacts=80, organizations=20)


def listed_ids(process) -> set[str]:
    with api_client(process) as client:
        return {e["id"] for e in all_pages(client, "/calendar_events")}


def event_of(process, event_id: str) -> dict:
    with api_client(process) as client:
        return data_of(client.get(f"/calendar_events/{event_id}"))


def pending_late(truth: dict, stale: bool) -> tuple[dict, dict]:
    for event in truth["calendar_events"]:
        if not event["exposed"] and event["stale_updated_at"] is stale:
            late = [r for r in event["recordings"] if r["late"] and r["status"] == "processing"]
            if late:
                return event, late[0]
    raise AssertionError(f"no pending late recording with stale_updated_at={stale}")


def test_clock_starts_at_six_utc_the_day_after_a_past_end_date(emulator):
    assert emulator.admin.clock() == dt.datetime(2026, 5, 21, 6, 0, tzinfo=UTC)


def test_clock_stands_still_between_reads(emulator):
    assert emulator.admin.clock() == emulator.admin.clock()


def test_advancing_the_clock_moves_it_by_that_many_seconds(fresh_emulator):
    before = fresh_emulator.admin.clock()
    assert fresh_emulator.admin.advance_clock(90.5) == before + dt.timedelta(seconds=90.5)


def test_setting_the_clock_moves_it_to_that_instant(fresh_emulator):
    when = dt.datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    assert fresh_emulator.admin.set_clock(when) == when and fresh_emulator.admin.clock() == when


def test_late_recording_appears_once_the_clock_passes_its_done_at(fresh_emulator):
    event, recording = pending_late(fresh_emulator.admin.snapshot(), stale=False)
    assert event["id"] not in listed_ids(fresh_emulator)
    fresh_emulator.admin.set_clock(instant(recording["done_at"]))
    assert event["id"] in listed_ids(fresh_emulator)


def test_late_arrival_moves_updated_at_to_its_done_at(fresh_emulator):
    event, recording = pending_late(fresh_emulator.admin.snapshot(), stale=False)
    fresh_emulator.admin.set_clock(instant(recording["done_at"]) + dt.timedelta(hours=1))
    assert event_of(fresh_emulator, event["id"])["updated_at"] == recording["done_at"]


def test_trapped_late_arrival_keeps_the_old_updated_at(fresh_emulator):
    event, recording = pending_late(fresh_emulator.admin.snapshot(), stale=True)
    fresh_emulator.admin.set_clock(instant(recording["done_at"]) + dt.timedelta(hours=1))
    shown = event_of(fresh_emulator, event["id"])
    assert shown["updated_at"] == event["updated_at"] and instant(shown["updated_at"]) < instant(recording["done_at"])


def test_trapped_late_arrival_is_missed_by_an_updated_after_sync(fresh_emulator):
    event, recording = pending_late(fresh_emulator.admin.snapshot(), stale=True)
    last_sync = fresh_emulator.admin.clock()
    fresh_emulator.admin.set_clock(instant(recording["done_at"]) + dt.timedelta(hours=1))
    with api_client(fresh_emulator) as client:
        changed = {e["id"] for e in all_pages(client, "/calendar_events", updated_after=last_sync.timestamp())}
    assert event["id"] not in changed and event["id"] in listed_ids(fresh_emulator)


def test_recording_detail_fills_in_summary_and_transcript_when_it_becomes_done(fresh_emulator):
    _, recording = pending_late(fresh_emulator.admin.snapshot(), stale=False)
    with api_client(fresh_emulator) as client:
        before = data_of(client.get(f"/recordings/{recording['id']}"))
        fresh_emulator.admin.set_clock(instant(recording["done_at"]))
        after = data_of(client.get(f"/recordings/{recording['id']}"))
    assert (before["status"], before["summary"]) == ("processing", None)
    assert after["status"] == "done" and after["summary"] is not None and after["updated_at"] == recording["done_at"]


def test_finishing_a_recording_with_bump_sets_updated_at_to_now(fresh_emulator):
    event, recording = pending_late(fresh_emulator.admin.snapshot(), stale=False)
    now = fresh_emulator.admin.advance_clock(60)
    fresh_emulator.admin.finish_recording(recording["id"])
    assert instant(event_of(fresh_emulator, event["id"])["updated_at"]) == now


def test_finishing_a_recording_without_bump_leaves_updated_at(fresh_emulator):
    event, recording = pending_late(fresh_emulator.admin.snapshot(), stale=False)
    fresh_emulator.admin.finish_recording(recording["id"], bump_event_updated_at=False)
    assert event_of(fresh_emulator, event["id"])["updated_at"] == event["updated_at"]


def test_editing_an_event_changes_the_title_and_bumps_updated_at_to_now(fresh_emulator):
    with api_client(fresh_emulator) as client:
        event = client.get("/calendar_events", params={"first": 1}).json()["data"][0]
    now = fresh_emulator.admin.advance_clock(3600)
    fresh_emulator.admin.edit_event(event["id"])
    shown = event_of(fresh_emulator, event["id"])
    assert shown["title"] != event["title"] and instant(shown["updated_at"]) == now


def test_editing_given_fields_changes_exactly_those(fresh_emulator):
    with api_client(fresh_emulator) as client:
        event = client.get("/calendar_events", params={"first": 1}).json()["data"][0]
    fresh_emulator.admin.edit_event(event["id"], attendees=["new.person@example.com"])
    shown = event_of(fresh_emulator, event["id"])
    assert shown["attendees"] == [{"email": "new.person@example.com"}] and shown["title"] == event["title"]


def test_inserted_event_is_listed_with_one_done_recording_in_its_own_offset(fresh_emulator):
    start = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    inserted = fresh_emulator.admin.insert_event(start, title="Inserted", duration_minutes=30)
    shown = event_of(fresh_emulator, inserted["id"])
    assert shown["start_at"] == "2026-05-20T10:00:00.000+09:00" and shown["end_at"] == "2026-05-20T10:30:00.000+09:00"
    assert [r["status"] for r in shown["recordings"]] == ["done"] and shown["title"] == "Inserted"


def test_deleted_recording_answers_404_but_its_event_still_lists_it_as_done(fresh_emulator):
    with api_client(fresh_emulator) as client:
        event = client.get("/calendar_events", params={"first": 1}).json()["data"][0]
        recording_id = event["recordings"][0]["id"]
        fresh_emulator.admin.delete_recording(recording_id)
        assert "recording" in error_of(client.get(f"/recordings/{recording_id}"), 404)["message"]
        assert data_of(client.get(f"/calendar_events/{event['id']}"))["recordings"][0]["status"] == "done"


def test_snapshot_marks_deleted_recordings(fresh_emulator):
    with api_client(fresh_emulator) as client:
        recording_id = client.get("/calendar_events", params={"first": 1}).json()["data"][0]["recordings"][0]["id"]
    fresh_emulator.admin.delete_recording(recording_id)
    assert fresh_emulator.admin.snapshot()["recordings"][recording_id]["deleted"] is True


def test_organization_filter_ignores_strangers_at_the_organization_domain(fresh_emulator):
    truth = fresh_emulator.admin.snapshot()
    org = next(o for o in truth["organizations"] if o["domains"])
    stranger = fresh_emulator.admin.insert_event(dt.datetime(2026, 5, 20, 9, tzinfo=UTC), attendees=[f"someone.new@{org['domains'][0]}"])
    with api_client(fresh_emulator) as client:
        got = {e["id"] for e in all_pages(client, "/calendar_events", organization_id=org["id"])}
    assert stranger["id"] not in got


def test_admin_change_of_an_unknown_event_is_a_404(fresh_emulator):
    with pytest.raises(EmulatorAdminError) as caught:
        fresh_emulator.admin.edit_event("ZZZZZZ")
    assert caught.value.status == 404


def test_reset_restores_the_seeded_workspace_and_starting_clock(fresh_emulator):
    before = fresh_emulator.admin.snapshot()
    with api_client(fresh_emulator) as client:
        client.post("/contacts", json={"first_name": "Temporary"})
    fresh_emulator.admin.advance_clock(86400)
    fresh_emulator.admin.reset()
    assert fresh_emulator.admin.snapshot() == before
