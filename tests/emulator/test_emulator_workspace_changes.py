"""Admin changes a real workspace goes through: rescheduled and deleted events, regenerated summaries,
recordings finishing with or without moving their event's `updated_at`, and faults aimed at one route."""

from __future__ import annotations

import datetime as dt

import pytest
from emulator_support import api_client, data_of, error_of, instant

from relate_pipeline.emulator import EmulatorAdminError

UTC = dt.timezone.utc


EMULATOR = dict(seed=5, days=3, end_date="2026-05-20", meetings_per_day=6, contacts=40, organizations=10, late_fraction=0.5)


def exposed_event(process) -> dict:
    return next(e for e in process.admin.snapshot()["calendar_events"] if e["exposed"])


def test_rescheduled_event_is_listed_on_its_new_day_with_its_length_and_a_new_updated_at(fresh_emulator):
    event = exposed_event(fresh_emulator)
    fresh_emulator.admin.advance_clock(60)
    new_start = dt.datetime(2026, 5, 18, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))

    fresh_emulator.admin.reschedule_event(event["id"], new_start)

    with api_client(fresh_emulator) as client:
        moved = data_of(client.get(f"/calendar_events/{event['id']}"))
        listed = data_of(client.get("/calendar_events", params={
            "starts_after": new_start.timestamp(), "starts_before": new_start.timestamp() + 1}))
    assert instant(moved["start_at"]) == new_start
    assert moved["start_at"].endswith("+02:00")
    assert instant(moved["end_at"]) - instant(moved["start_at"]) == instant(event["end_at"]) - instant(event["start_at"])
    assert instant(moved["updated_at"]) == fresh_emulator.admin.clock()
    assert [e["id"] for e in listed] == [event["id"]]


def test_deleted_event_leaves_the_listing_and_it_and_its_recordings_answer_404(fresh_emulator):
    event = exposed_event(fresh_emulator)

    fresh_emulator.admin.delete_event(event["id"])

    with api_client(fresh_emulator) as client:
        assert error_of(client.get(f"/calendar_events/{event['id']}"), 404)
        for recording in event["recordings"]:
            assert error_of(client.get(f"/recordings/{recording['id']}"), 404)
        listed = [e["id"] for e in data_of(client.get("/calendar_events", params={"limit": 100}))]
    assert event["id"] not in listed


def test_regenerated_summary_moves_only_the_recordings_updated_at(fresh_emulator):
    event = exposed_event(fresh_emulator)
    recording_id = next(r["id"] for r in event["recordings"] if r["status"] == "done")
    with api_client(fresh_emulator) as client:
        before = data_of(client.get(f"/recordings/{recording_id}"))
    fresh_emulator.admin.advance_clock(3600)

    fresh_emulator.admin.regenerate_summary(recording_id)

    with api_client(fresh_emulator) as client:
        after = data_of(client.get(f"/recordings/{recording_id}"))
        listed = data_of(client.get(f"/calendar_events/{event['id']}"))
    assert after["summary"] != before["summary"]
    assert instant(after["updated_at"]) == fresh_emulator.admin.clock()
    assert listed["updated_at"] == event["updated_at"]


def test_only_a_done_recording_can_have_its_summary_regenerated(fresh_emulator):
    truth = fresh_emulator.admin.snapshot()
    processing = next(r for e in truth["calendar_events"] for r in e["recordings"] if r["status"] == "processing")
    with pytest.raises(EmulatorAdminError, match="is not done"):
        fresh_emulator.admin.regenerate_summary(processing["id"])


@pytest.mark.parametrize("bump", [True, False])
def test_finishing_a_recording_moves_its_events_updated_at_only_when_asked(fresh_emulator, bump):
    truth = fresh_emulator.admin.snapshot()
    event, recording = next(
        (e, r) for e in truth["calendar_events"] for r in e["recordings"] if r["status"] == "processing"
    )
    fresh_emulator.admin.advance_clock(60)

    fresh_emulator.admin.finish_recording(recording["id"], bump_event_updated_at=bump)

    with api_client(fresh_emulator) as client:
        listed = data_of(client.get(f"/calendar_events/{event['id']}"))
    assert next(r for r in listed["recordings"] if r["id"] == recording["id"])["status"] == "done"
    assert (instant(listed["updated_at"]) == fresh_emulator.admin.clock()) is bump


def test_faults_aimed_at_a_path_spare_every_other_route(fresh_emulator):
    event = exposed_event(fresh_emulator)
    fresh_emulator.admin.set_faults(error_rate=1.0, error_statuses=[503], paths=["/v1/calendar_events/"])

    with api_client(fresh_emulator) as client:
        assert client.get(f"/calendar_events/{event['id']}").status_code == 503
        assert client.get("/calendar_events").status_code == 200


def test_fault_paths_must_be_path_prefixes(fresh_emulator):
    with pytest.raises(EmulatorAdminError, match="paths"):
        fresh_emulator.admin.set_faults(paths=["calendar_events"])


def test_a_queued_change_lands_right_after_the_nth_request_to_its_endpoint(fresh_emulator):
    event = exposed_event(fresh_emulator)
    fresh_emulator.admin.queue_changes("GET /v1/calendar_events/{id}", 2,
                              {"operation": "edit_event", "id": event["id"], "body": {"title": "Renamed on cue"}})

    with api_client(fresh_emulator) as client:
        titles = [data_of(client.get(f"/calendar_events/{event['id']}"))["title"] for _ in range(3)]

    assert titles == [event["title"], event["title"], "Renamed on cue"]
    assert fresh_emulator.admin.pending_changes() == 0


def test_a_queued_change_naming_an_unknown_operation_is_refused(fresh_emulator):
    with pytest.raises(EmulatorAdminError, match="operation must be one of"):
        fresh_emulator.admin.queue_changes("GET /v1/calendar_events", 1, {"operation": "rename_everything"})
