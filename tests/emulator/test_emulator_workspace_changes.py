"""Admin changes a real workspace goes through: rescheduled and deleted events, regenerated summaries,
recordings finishing with or without moving their event's `updated_at`, and faults aimed at one route."""

from __future__ import annotations

import datetime as dt

import pytest
from emulator_support import api_client, data_of, error_of, instant

from relate_pipeline.emulator import EmulatorAdminError, EmulatorProcess

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def private_emulator():
    with EmulatorProcess(seed=5, days=3, end_date="2026-05-20", meetings_per_day=6, contacts=40, organizations=10,
                         late_fraction=0.5) as process:
        yield process


@pytest.fixture
def fresh(private_emulator):
    private_emulator.admin.reset()
    return private_emulator


def exposed_event(process) -> dict:
    return next(e for e in process.admin.snapshot()["calendar_events"] if e["exposed"])


def test_rescheduled_event_is_listed_on_its_new_day_with_its_length_and_a_new_updated_at(fresh):
    event = exposed_event(fresh)
    fresh.admin.advance_clock(60)
    new_start = dt.datetime(2026, 5, 18, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))

    fresh.admin.reschedule_event(event["id"], new_start)

    with api_client(fresh) as client:
        moved = data_of(client.get(f"/calendar_events/{event['id']}"))
        listed = data_of(client.get("/calendar_events", params={
            "starts_after": new_start.timestamp(), "starts_before": new_start.timestamp() + 1}))
    assert instant(moved["start_at"]) == new_start
    assert moved["start_at"].endswith("+02:00")
    assert instant(moved["end_at"]) - instant(moved["start_at"]) == instant(event["end_at"]) - instant(event["start_at"])
    assert instant(moved["updated_at"]) == fresh.admin.clock()
    assert [e["id"] for e in listed] == [event["id"]]


def test_deleted_event_leaves_the_listing_and_it_and_its_recordings_answer_404(fresh):
    event = exposed_event(fresh)

    fresh.admin.delete_event(event["id"])

    with api_client(fresh) as client:
        assert error_of(client.get(f"/calendar_events/{event['id']}"), 404)
        for recording in event["recordings"]:
            assert error_of(client.get(f"/recordings/{recording['id']}"), 404)
        listed = [e["id"] for e in data_of(client.get("/calendar_events", params={"limit": 100}))]
    assert event["id"] not in listed


def test_regenerated_summary_moves_only_the_recordings_updated_at(fresh):
    event = exposed_event(fresh)
    recording_id = next(r["id"] for r in event["recordings"] if r["status"] == "done")
    with api_client(fresh) as client:
        before = data_of(client.get(f"/recordings/{recording_id}"))
    fresh.admin.advance_clock(3600)

    fresh.admin.regenerate_summary(recording_id)

    with api_client(fresh) as client:
        after = data_of(client.get(f"/recordings/{recording_id}"))
        listed = data_of(client.get(f"/calendar_events/{event['id']}"))
    assert after["summary"] != before["summary"]
    assert instant(after["updated_at"]) == fresh.admin.clock()
    assert listed["updated_at"] == event["updated_at"]


def test_only_a_done_recording_can_have_its_summary_regenerated(fresh):
    truth = fresh.admin.snapshot()
    processing = next(r for e in truth["calendar_events"] for r in e["recordings"] if r["status"] == "processing")
    with pytest.raises(EmulatorAdminError, match="is not done"):
        fresh.admin.regenerate_summary(processing["id"])


@pytest.mark.parametrize("bump", [True, False])
def test_finishing_a_recording_moves_its_events_updated_at_only_when_asked(fresh, bump):
    truth = fresh.admin.snapshot()
    event, recording = next(
        (e, r) for e in truth["calendar_events"] for r in e["recordings"] if r["status"] == "processing"
    )
    fresh.admin.advance_clock(60)

    fresh.admin.finish_recording(recording["id"], bump_event_updated_at=bump)

    with api_client(fresh) as client:
        listed = data_of(client.get(f"/calendar_events/{event['id']}"))
    assert next(r for r in listed["recordings"] if r["id"] == recording["id"])["status"] == "done"
    assert (instant(listed["updated_at"]) == fresh.admin.clock()) is bump


def test_faults_aimed_at_a_path_spare_every_other_route(fresh):
    event = exposed_event(fresh)
    fresh.admin.set_faults(error_rate=1.0, error_statuses=[503], paths=["/v1/calendar_events/"])

    with api_client(fresh) as client:
        assert client.get(f"/calendar_events/{event['id']}").status_code == 503
        assert client.get("/calendar_events").status_code == 200


def test_fault_paths_must_be_path_prefixes(fresh):
    with pytest.raises(EmulatorAdminError, match="paths"):
        fresh.admin.set_faults(paths=["calendar_events"])


def test_a_queued_change_lands_right_after_the_nth_request_to_its_endpoint(fresh):
    event = exposed_event(fresh)
    fresh.admin.queue_changes("GET /v1/calendar_events/{id}", 2,
                              {"operation": "edit_event", "id": event["id"], "body": {"title": "Renamed on cue"}})

    with api_client(fresh) as client:
        titles = [data_of(client.get(f"/calendar_events/{event['id']}"))["title"] for _ in range(3)]

    assert titles == [event["title"], event["title"], "Renamed on cue"]
    assert fresh.admin.pending_changes() == 0


def test_a_queued_change_naming_an_unknown_operation_is_refused(fresh):
    with pytest.raises(EmulatorAdminError, match="operation must be one of"):
        fresh.admin.queue_changes("GET /v1/calendar_events", 1, {"operation": "rename_everything"})
