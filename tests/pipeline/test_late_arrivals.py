"""Late recordings and edits reach the lake through the sensor and the nightly schedule."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from dagster import build_schedule_context, build_sensor_context

from assets.automation import RANGE_END_TAG, RANGE_START_TAG, meeting_changes, nightly
from assets.resources import LookBack


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _pending_recording(snapshot: dict, days: set[date]) -> tuple[dict, dict]:
    """A processing recording in one of ``days``, preferring an event not listed yet."""
    pending = [
        (event, recording)
        for event in snapshot["calendar_events"]
        if datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc).date() in days
        for recording in event["recordings"]
        if recording["status"] == "processing"
    ]
    assert pending, "the seeded workspace should hold recordings still processing"
    return min(pending, key=lambda pair: pair[0]["exposed"])


def _evaluate(harness, cursor: str | None):
    context = build_sensor_context(instance=harness.instance, cursor=cursor, resources=harness.resources)
    tick = meeting_changes.evaluate_tick(context)
    return tick.run_requests, tick.cursor


def _lake_recording_ids(harness, day: date) -> set[str]:
    table = harness.lake.read_partition("recordings", day.isoformat())
    return set(table.column("recording_id").to_pylist()) if table is not None else set()


@pytest.fixture
def live(make_emulator, make_harness):
    emulator = make_emulator(end_date=_today(), days=3, meetings_per_day=10, late_fraction=0.6)
    harness = make_harness(emulator)
    first, last = _today() - timedelta(days=2), _today()
    harness.run(first, last)
    return emulator, harness, first, last


@pytest.mark.parametrize("bump", [True, False], ids=["event-updated_at-bumped", "event-updated_at-unchanged"])
def test_recording_finishing_late_becomes_a_sensor_run_and_lands_in_its_day(live, bump):
    emulator, harness, first, last = live
    days = {first + timedelta(days=n) for n in range(3)}
    _, baseline_cursor = _evaluate(harness, None)
    event, recording = _pending_recording(emulator.admin.snapshot(), days)
    meeting_day = datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc).date()
    assert recording["id"] not in _lake_recording_ids(harness, meeting_day)

    emulator.admin.finish_recording(recording["id"], bump_event_updated_at=bump)
    requests, _ = _evaluate(harness, baseline_cursor)

    covering = [
        r for r in requests if r.tags[RANGE_START_TAG] <= meeting_day.isoformat() <= r.tags[RANGE_END_TAG]
    ]
    assert len(covering) == 1
    request = covering[0]
    harness.run(date.fromisoformat(request.tags[RANGE_START_TAG]), date.fromisoformat(request.tags[RANGE_END_TAG]))
    assert recording["id"] in _lake_recording_ids(harness, meeting_day)


def test_sensor_first_tick_records_a_baseline_without_runs(live):
    _, harness, _, _ = live
    requests, cursor = _evaluate(harness, None)
    assert requests == []
    assert cursor


def test_sensor_requests_nothing_when_nothing_changed(live):
    _, harness, _, _ = live
    _, cursor = _evaluate(harness, None)
    requests, _ = _evaluate(harness, cursor)
    assert requests == []


def test_edited_event_is_requested_again(live):
    emulator, harness, first, _ = live
    _, cursor = _evaluate(harness, None)
    event = next(e for e in emulator.admin.snapshot()["calendar_events"] if e["exposed"])
    emulator.admin.edit_event(event["id"], title="Renamed in the CRM")
    requests, _ = _evaluate(harness, cursor)
    day = datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc).date().isoformat()
    assert any(r.tags[RANGE_START_TAG] <= day <= r.tags[RANGE_END_TAG] for r in requests)


def test_nightly_schedule_runs_yesterday_and_the_trailing_window_in_one_run():
    context = build_schedule_context(
        scheduled_execution_time=datetime(2026, 5, 21, 2, 0, tzinfo=timezone.utc), resources={"look_back": LookBack()}
    )
    (request,) = nightly.evaluate_tick(context).run_requests
    assert request.tags[RANGE_START_TAG] == "2026-05-17"
    assert request.tags[RANGE_END_TAG] == "2026-05-20"
