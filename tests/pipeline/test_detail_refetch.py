"""Which recording details a run downloads again: regenerated summaries, unfinished stored details, refreshes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import orjson
import pyarrow as pa
import pytest

from assets.resources import LookBack
from relate_pipeline.lake import Lake
from tests.pipeline.workspace_support import event_on, metadata_of

TODAY = datetime.now(timezone.utc).date()
RECENT, OLD = TODAY - timedelta(days=1), TODAY - timedelta(days=5)


@pytest.fixture
def loaded(make_emulator, make_harness):
    """Six days up to today: the last ones inside RELATE_REFRESH_DAYS (3), the first ones outside it."""
    emulator = make_emulator(end_date=TODAY.isoformat(), days=6, meetings_per_day=4, contacts=40, organizations=10,
                             late_fraction=0.0)
    harness = make_harness(emulator)
    assert harness.run(OLD, RECENT).success
    return emulator, harness


def lake_summary(harness, day: date, recording_id: str) -> str:
    rows = harness.lake.read_partition("recordings", day.isoformat()).to_pylist()
    return next(row["summary_text"] for row in rows if row["recording_id"] == recording_id)


def served_summary(emulator, recording_id: str) -> str:
    return emulator.admin.snapshot()["recordings"][recording_id]["summary"]["summary"]


def regenerated(emulator, day: date) -> str:
    recording_id = event_on(emulator, day)["recordings"][0]["id"]
    before = served_summary(emulator, recording_id)
    emulator.admin.regenerate_summary(recording_id)
    assert served_summary(emulator, recording_id) != before
    return recording_id


def test_summary_regenerated_within_the_refresh_window_lands_with_the_next_run(loaded):
    emulator, harness = loaded
    recording_id = regenerated(emulator, RECENT)

    assert harness.run(OLD, RECENT).success

    assert lake_summary(harness, RECENT, recording_id) == served_summary(emulator, recording_id)


def test_the_refresh_window_is_the_look_back_resources(loaded):
    """``RELATE_REFRESH_DAYS`` reaches the run through the ``look_back`` resource: a window of 0 days refetches nothing."""
    emulator, harness = loaded
    recording_id = regenerated(emulator, RECENT)
    stale = lake_summary(harness, RECENT, recording_id)
    harness.look_back = LookBack(refresh_days=0)

    result = harness.run(OLD, RECENT)

    assert metadata_of(result, "raw_meetings")["recordings_fetched"].value == 0
    assert lake_summary(harness, RECENT, recording_id) == stale


def test_summary_regenerated_before_the_window_is_not_downloaded_without_a_refresh(loaded):
    emulator, harness = loaded
    recording_id = regenerated(emulator, OLD)
    stale = lake_summary(harness, OLD, recording_id)

    result = harness.run(OLD, OLD)

    assert metadata_of(result, "raw_meetings")["recordings_fetched"].value == 0
    assert lake_summary(harness, OLD, recording_id) == stale


def test_a_run_tagged_refresh_downloads_every_done_recording_and_lands_the_regenerated_summary(loaded):
    emulator, harness = loaded
    recording_id = regenerated(emulator, OLD)

    result = harness.run(OLD, OLD, tags={"relate/refresh": "true"})

    raw = metadata_of(result, "raw_meetings")
    assert raw["recordings_fetched"].value == raw["done_recordings_listed"].value > 0
    assert lake_summary(harness, OLD, recording_id) == served_summary(emulator, recording_id)
    assert raw["days_rewritten"].value == [OLD.isoformat()]


def test_refresh_as_run_config_does_the_same_as_the_tag(loaded):
    emulator, harness = loaded
    recording_id = regenerated(emulator, OLD)

    harness.run(OLD, OLD, run_config={"ops": {"meetings": {"config": {"refresh": True}}}})

    assert lake_summary(harness, OLD, recording_id) == served_summary(emulator, recording_id)


def test_a_refresh_that_finds_nothing_new_leaves_the_day_untouched(loaded):
    _, harness = loaded
    path = harness.data_dir / "raw" / "raw_recordings" / f"date={OLD.isoformat()}" / "part.parquet"
    before = path.stat().st_mtime_ns

    result = harness.run(OLD, OLD, tags={"relate/refresh": "true"})

    assert metadata_of(result, "raw_meetings")["days_rewritten"].value == []
    assert path.stat().st_mtime_ns == before


def _store_unfinished_detail(raw: Lake, day: date, recording_id: str) -> None:
    """The raw day as an earlier version left it: the recording's detail stored without its summary."""
    table = raw.read_partition("raw_recordings", day.isoformat())
    bodies = []
    for row_id, body in zip(table.column("recording_id").to_pylist(), table.column("body").to_pylist()):
        if row_id == recording_id:
            document = orjson.loads(body)
            document["data"]["summary"] = None
            body = orjson.dumps(document)
        bodies.append(body)
    position = table.schema.get_field_index("body")
    raw.write_partition("raw_recordings", day.isoformat(), table.set_column(position, "body", pa.array(bodies, pa.large_binary())))


def test_an_unfinished_stored_detail_fails_done_recordings_fetched_until_downloaded_again(loaded):
    emulator, harness = loaded
    recording_id = event_on(emulator, OLD)["recordings"][0]["id"]
    _store_unfinished_detail(harness.lakehouse.raw, OLD, recording_id)

    rebuilt = harness.run(OLD, OLD, selection=["meeting_tables"])
    check = next(e for e in rebuilt.get_asset_check_evaluations() if e.check_name == "done_recordings_fetched")
    assert not check.passed and check.metadata["recording_ids"].value == [recording_id]

    fixed = harness.run(OLD, OLD)

    assert metadata_of(fixed, "raw_meetings")["recordings_fetched"].value == 1
    assert lake_summary(harness, OLD, recording_id) == served_summary(emulator, recording_id)
    assert all(e.passed for e in fixed.get_asset_check_evaluations() if e.check_name == "done_recordings_fetched")
