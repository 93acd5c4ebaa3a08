"""Each day of a range is published as soon as its last recording is fetched, so a run that fails
part-way keeps the days it finished, each whole, and writes nothing of the others."""

from __future__ import annotations

import asyncio
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from relate_pipeline.client import AsyncRelateClient, ClientSettings, ServerError
from relate_pipeline.lake import Lake
from relate_pipeline.meetings.extraction import extract_meeting_days
from relate_pipeline.meetings.day_tables import MeetingDayWriter

FIRST, LAST = date(2026, 5, 18), date(2026, 5, 20)
DAYS = ["2026-05-18", "2026-05-19", "2026-05-20"]
UTC = ZoneInfo("UTC")


def extract(emulator, raw: Lake, on_day_extracted=None):
    # One request at a time, so recordings are fetched strictly in day order.
    settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key, max_concurrency=1,
                              max_retries=1, backoff_base=0.01)

    async def run():
        async with AsyncRelateClient(settings) as client:
            return await extract_meeting_days(client, FIRST, LAST, UTC, raw, on_day_extracted=on_day_extracted)

    return asyncio.run(run())


def bodies(raw: Lake, day: str) -> dict[str, bytes]:
    return {row["recording_id"]: row["body"] for row in raw.read_partition("raw_recordings", day).to_pylist()}


@pytest.fixture
def failed_after_first_day(make_emulator, tmp_path):
    """A range extraction whose API starts failing every request once the first day is published."""
    emulator = make_emulator()
    complete = Lake(str(tmp_path / "complete"))
    extract(emulator, complete)
    raw, handed_over = Lake(str(tmp_path / "raw")), []

    def fail_from_now_on(day: str) -> None:
        handed_over.append(day)
        emulator.admin.set_faults(error_rate=1.0)

    with pytest.raises(ServerError):
        extract(emulator, raw, on_day_extracted=fail_from_now_on)
    return raw, complete, handed_over, tmp_path / "raw"


def test_every_day_is_handed_over_once_published_in_day_order(emulator, tmp_path):
    raw, handed_over = Lake(str(tmp_path / "raw")), []
    extract(emulator, raw, on_day_extracted=lambda day: handed_over.append((day, raw.partitions("raw_recordings"))))
    assert [day for day, _ in handed_over] == DAYS
    assert all(day in published for day, published in handed_over)


def test_failure_after_the_first_day_keeps_that_day_whole(failed_after_first_day):
    raw, complete, handed_over, _ = failed_after_first_day
    assert handed_over == [DAYS[0]]
    assert bodies(raw, DAYS[0]) == bodies(complete, DAYS[0])
    assert raw.read_partition("raw_calendar_events", DAYS[0]).equals(complete.read_partition("raw_calendar_events", DAYS[0]))


def test_failure_after_the_first_day_writes_nothing_of_the_others(failed_after_first_day):
    raw, _, _, root = failed_after_first_day
    assert raw.partitions("raw_recordings") == [DAYS[0]]
    assert raw.partitions("raw_calendar_events") == [DAYS[0]]
    assert sorted(root.rglob("*.tmp")) == []


def test_days_handed_over_before_a_failure_still_get_their_tables(emulator, tmp_path):
    raw, lake = Lake(str(tmp_path / "raw")), Lake(str(tmp_path / "lake"))
    extract(emulator, raw)
    with pytest.raises(RuntimeError, match="extraction failed"):
        with MeetingDayWriter(raw, lake, workers=1) as writer:
            for day in DAYS:
                writer.submit(day)
            raise RuntimeError("extraction failed after handing every day over")
    assert lake.partitions("calendar_events") == DAYS
    assert lake.partitions("transcript_utterances") == DAYS
