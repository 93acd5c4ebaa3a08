"""The sensors and the weekly reconcile, evaluated by Dagster against a real instance, tick after tick.

Dagster launches a sensor's run request only when no run of the instance carries its run key, so
the keys must differ whenever what changed differs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from dagster import RunsFilter, build_schedule_context, build_sensor_context, materialize

from assets.automation import RANGE_END_TAG, RANGE_START_TAG, meeting_changes, reconcile_requests, weekly_reconcile
from assets.reconcile import history_listing
from tests.pipeline.workspace_support import event_on

TODAY = datetime.now(timezone.utc).date()
RUN_KEY_TAG, SENSOR_TAG = "dagster/run_key", "dagster/sensor_name"


@pytest.fixture
def live(make_emulator, make_harness):
    """Six days up to today, the last four of them the sensor's trailing window, loaded once."""
    emulator = make_emulator(end_date=TODAY.isoformat(), days=6, meetings_per_day=6, contacts=40, organizations=10,
                             late_fraction=0.5)
    harness = make_harness(emulator)
    assert harness.run(TODAY - timedelta(days=5), TODAY).success
    return emulator, harness


def tick(harness, cursor: str | None):
    context = build_sensor_context(instance=harness.instance, cursor=cursor, resources=harness.resources)
    data = meeting_changes.evaluate_tick(context)
    return data.run_requests, data.cursor


def requested_days(requests) -> set[date]:
    days = set()
    for request in requests:
        first, last = date.fromisoformat(request.tags[RANGE_START_TAG]), date.fromisoformat(request.tags[RANGE_END_TAG])
        days |= {first + timedelta(days=n) for n in range((last - first).days + 1)}
    return days


def launch(harness, request) -> None:
    """The run the daemon would launch for the request, tagged as the daemon tags it."""
    first, last = date.fromisoformat(request.tags[RANGE_START_TAG]), date.fromisoformat(request.tags[RANGE_END_TAG])
    assert harness.run(first, last, tags={RUN_KEY_TAG: request.run_key, SENSOR_TAG: "meeting_changes"}).success


def runs_with_key(harness, run_key: str) -> int:
    return len(harness.instance.get_runs(RunsFilter(tags={RUN_KEY_TAG: run_key})))


def late_recordings_without_updated_at(emulator, count: int) -> list[dict]:
    """``count`` processing recordings of one day of the window whose events stay hidden until they finish."""
    window = {TODAY - timedelta(days=n) for n in range(4)}
    by_day: dict[date, list[dict]] = {}
    for event in emulator.admin.snapshot()["calendar_events"]:
        day = datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc).date()
        for recording in event["recordings"]:
            if day in window and recording["status"] == "processing":
                by_day.setdefault(day, []).append(recording)
    day, recordings = max(by_day.items(), key=lambda item: len(item[1]))
    assert len(recordings) >= count, "the seeded window should hold several late recordings on one day"
    return recordings[:count]


def test_two_late_recordings_of_one_day_a_tick_apart_make_two_runs(live):
    emulator, harness = live
    _, cursor = tick(harness, None)
    first_late, second_late = late_recordings_without_updated_at(emulator, 2)

    emulator.admin.finish_recording(first_late["id"], bump_event_updated_at=False)
    first_requests, cursor = tick(harness, cursor)
    for request in first_requests:
        launch(harness, request)
    emulator.admin.finish_recording(second_late["id"], bump_event_updated_at=False)
    second_requests, _ = tick(harness, cursor)

    assert first_requests and second_requests
    assert requested_days(first_requests) & requested_days(second_requests)
    assert all(runs_with_key(harness, request.run_key) == 0 for request in second_requests)


def test_an_unchanged_workspace_requests_no_run_on_the_next_tick(live):
    _, harness = live
    _, cursor = tick(harness, None)
    requests, _ = tick(harness, cursor)
    assert requests == []


def test_a_meeting_moved_from_outside_the_window_requests_both_of_its_days(live):
    emulator, harness = live
    old_day = TODAY - timedelta(days=5)
    event = event_on(emulator, old_day)
    _, cursor = tick(harness, None)
    start = datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc)
    new_day = TODAY - timedelta(days=1)
    emulator.admin.reschedule_event(event["id"], datetime.combine(new_day, start.timetz()))

    requests, _ = tick(harness, cursor)

    assert {old_day, new_day} <= requested_days(requests)


def reconcile(harness):
    """The weekly reconcile's run (the history listing), then the requests the sensor makes of what it found."""
    assert materialize([history_listing], resources=harness.resources, instance=harness.instance).success
    context = build_sensor_context(instance=harness.instance, resources=harness.resources)
    return reconcile_requests.evaluate_tick(context).run_requests


def test_the_weekly_reconcile_tick_only_launches_the_history_listing_run(live):
    emulator, harness = live
    emulator.admin.reset_stats()
    context = build_schedule_context(instance=harness.instance, scheduled_execution_time=datetime.now(timezone.utc))

    requests = weekly_reconcile.evaluate_tick(context).run_requests

    assert len(requests) == 1 and weekly_reconcile.job_name == "relate_reconcile"
    assert emulator.admin.stats()["total_requests"] == 0


def test_weekly_reconcile_requests_nothing_when_history_is_unchanged(live):
    _, harness = live
    assert reconcile(harness) == []


def test_weekly_reconcile_requests_exactly_the_days_a_move_and_a_deletion_touched(live):
    emulator, harness = live
    moved_from, moved_to, deleted_from = (TODAY - timedelta(days=n) for n in (5, 3, 4))
    moved = event_on(emulator, moved_from)
    start = datetime.fromisoformat(moved["start_at"]).astimezone(timezone.utc)
    emulator.admin.reschedule_event(moved["id"], datetime.combine(moved_to, start.timetz()))
    emulator.admin.delete_event(event_on(emulator, deleted_from)["id"])

    requests = reconcile(harness)

    assert requested_days(requests) == {moved_from, moved_to, deleted_from}
    for request in requests:
        launch(harness, request)
    assert reconcile(harness) == []
