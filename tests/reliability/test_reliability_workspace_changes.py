"""Moves and deletions under faults: only a 404 deletes, and a run that dies part-way through a move
leaves each day whole for the next run to finish the correction."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from relate_pipeline.client import AsyncRelateClient, ClientSettings
from relate_pipeline.meetings.extraction import extract_meeting_days
from relate_pipeline.meetings.raw_store import held_event_days
from tests.pipeline.conftest import PipelineHarness
from tests.pipeline.workspace_support import event_on, file_states, lake_event_days
from tests.reliability.reliability_support import FIRST, LAST, TunedRelateApi

LOOKUPS = "/v1/calendar_events/"


@pytest.fixture
def loaded(reliability_emulator, faults, tmp_path):
    harness = PipelineHarness(reliability_emulator, tmp_path / "data")
    harness.api = TunedRelateApi(base_url=reliability_emulator.base_url, api_key=reliability_emulator.api_key,
                                 max_retries=2, backoff_base=0.01)
    assert harness.run(FIRST, LAST).success
    return reliability_emulator, harness


def failure_message(result) -> str:
    """Every step failure's message and the messages of its causes."""
    messages = []
    for event in result.get_step_failure_events():
        error = event.event_specific_data.error
        while error is not None:
            messages.append(error.message)
            error = error.cause
    return "\n".join(messages)


def test_event_lookup_failing_after_its_retries_fails_the_run_clearly_and_deletes_nothing(loaded, faults):
    emulator, harness = loaded
    event = event_on(emulator, FIRST)
    emulator.admin.delete_event(event["id"])
    faults.set_faults(error_rate=1.0, error_statuses=[503], paths=[LOOKUPS])
    before = file_states(harness.data_dir)

    result = harness.run(FIRST, LAST, raise_on_error=False)

    assert not result.success
    assert f"could not tell whether calendar event {event['id']!r} moved or was deleted" in failure_message(result)
    assert file_states(harness.data_dir) == before
    assert event["id"] in lake_event_days(harness)


def test_the_deletion_lands_once_the_lookup_answers_404(loaded, faults):
    emulator, harness = loaded
    event = event_on(emulator, FIRST)
    emulator.admin.delete_event(event["id"])
    faults.set_faults(error_rate=1.0, error_statuses=[503], paths=[LOOKUPS])
    harness.run(FIRST, LAST, raise_on_error=False)
    faults.set_faults(error_rate=0.0, paths=[])

    assert harness.run(FIRST, LAST).success

    assert event["id"] not in lake_event_days(harness)
    assert harness.lake.read_partition("deleted_events", FIRST.isoformat()).column("event_id").to_pylist() == [event["id"]]


class DiedAfterFirstDay(RuntimeError):
    pass


def extract_dying_after_the_first_published_day(emulator, raw) -> None:
    def die(day: str) -> None:
        raise DiedAfterFirstDay(day)

    async def run() -> None:
        settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)
        async with AsyncRelateClient(settings) as client:
            await extract_meeting_days(client, LAST, LAST, ZoneInfo("UTC"), raw, on_day_extracted=die)

    with pytest.raises(DiedAfterFirstDay) as died:
        asyncio.run(run())
    assert str(died.value) == LAST.isoformat(), "the day gaining the meeting is written first"


def test_a_run_dying_between_the_two_days_of_a_move_is_finished_by_the_next_run(loaded):
    emulator, harness = loaded
    event = event_on(emulator, FIRST)
    start = datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc)
    emulator.admin.reschedule_event(event["id"], datetime.combine(LAST, start.timetz()))
    raw = harness.lakehouse.raw

    extract_dying_after_the_first_published_day(emulator, raw)
    assert held_event_days(raw)[event["id"]] == {FIRST.isoformat(), LAST.isoformat()}

    assert harness.run(LAST, LAST).success

    assert held_event_days(raw)[event["id"]] == {LAST.isoformat()}
    assert lake_event_days(harness)[event["id"]] == [LAST.isoformat()]


def test_an_event_skipped_by_a_listing_that_shifted_under_a_deletion_is_kept_by_its_lookup(loaded, faults):
    emulator, harness = loaded
    day_events = sorted(
        (e for e in emulator.admin.snapshot()["calendar_events"]
         if e["exposed"] and datetime.fromisoformat(e["start_at"]).astimezone(timezone.utc).date() == LAST),
        key=lambda e: datetime.fromisoformat(e["start_at"]), reverse=True,
    )
    newest, slides_back = day_events[0], day_events[2]
    faults.set_faults(max_page_size=2)
    emulator.admin.queue_changes("GET /v1/calendar_events", 1, {"operation": "delete_event", "id": newest["id"]})

    assert harness.run(LAST, LAST).success
    assert emulator.admin.pending_changes() == 0
    assert emulator.admin.stats()["requests"].get("GET /v1/calendar_events/{id}", 0) == 1, "the skipped event was looked up"

    assert lake_event_days(harness)[slides_back["id"]] == [LAST.isoformat()]
    assert {event["id"] for event in day_events} <= set(lake_event_days(harness)), "the run listed the newest before it went"
    assert harness.run(LAST, LAST).success
    landed = {event_id for event_id, days in lake_event_days(harness).items() if LAST.isoformat() in days}
    assert landed == {event["id"] for event in day_events} - {newest["id"]}
