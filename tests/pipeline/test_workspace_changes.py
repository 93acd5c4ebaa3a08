"""A workspace that changes between runs: meetings moved, deleted and re-listed, through real Dagster runs.

After any run an event id and a recording id live on exactly one day, wherever the run's range was.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

import duckdb
from dagster import AssetKey

from relate_pipeline.day_index import INDEX_TABLE, load_day_index

from tests.pipeline.workspace_support import (
    event_on,
    lake_event_days,
    lake_recording_days,
    materialized_partitions,
    metadata_of,
)

FIRST, LAST = date(2026, 5, 18), date(2026, 5, 20)


def _moved(emulator, event: dict, to_day: date) -> None:
    start = datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc)
    emulator.admin.reschedule_event(event["id"], datetime.combine(to_day, start.timetz()))


def test_meeting_moved_within_the_range_lives_only_on_its_new_day(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, FIRST)
    _moved(emulator, event, LAST)

    assert harness.run(FIRST, LAST).success

    assert lake_event_days(harness)[event["id"]] == [LAST.isoformat()]
    recording_id = event["recordings"][0]["id"]
    assert lake_recording_days(harness)[recording_id] == [LAST.isoformat()]
    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        rows = connection.execute("SELECT date FROM meetings WHERE event_id = ?", [event["id"]]).fetchall()
    assert rows == [(LAST,)]


def test_meeting_moved_into_the_range_is_taken_off_its_old_day_outside_the_range(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, FIRST)
    _moved(emulator, event, LAST)

    result = harness.run(LAST, LAST)

    assert lake_event_days(harness)[event["id"]] == [LAST.isoformat()]
    assert metadata_of(result, "raw_meetings")["days_corrected_elsewhere"].value == [FIRST.isoformat()]
    for key in ("raw_meetings", "meeting_tables"):
        assert materialized_partitions(result, key) >= {FIRST.isoformat(), LAST.isoformat()}, key


def test_meeting_moved_out_of_the_range_is_written_on_its_new_day_outside_the_range(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, LAST)
    _moved(emulator, event, FIRST)

    result = harness.run(LAST, LAST)

    assert lake_event_days(harness)[event["id"]] == [FIRST.isoformat()]
    assert lake_recording_days(harness)[event["recordings"][0]["id"]] == [FIRST.isoformat()]
    assert FIRST.isoformat() in materialized_partitions(result, "meeting_tables")
    assert metadata_of(result, "raw_meetings")["events_moved"].value == 1


def test_every_event_and_recording_id_lives_on_one_day_after_moves_both_ways(small_workspace):
    emulator, harness = small_workspace
    _moved(emulator, event_on(emulator, FIRST), LAST)
    _moved(emulator, event_on(emulator, LAST, skip=1), FIRST)

    result = harness.run(LAST, LAST)

    assert result.success
    assert all(len(days) == 1 for days in lake_event_days(harness).values())
    assert all(len(days) == 1 for days in lake_recording_days(harness).values())
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "keys_unique_across_days")
    assert check.passed


def test_deleted_meeting_leaves_the_lake_and_is_recorded_with_its_last_day(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, FIRST + timedelta(days=1))
    emulator.admin.delete_event(event["id"])

    result = harness.run(FIRST, LAST)

    assert event["id"] not in lake_event_days(harness)
    assert event["recordings"][0]["id"] not in lake_recording_days(harness)
    assert metadata_of(result, "raw_meetings")["events_deleted"].value == 1
    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        rows = connection.execute("SELECT event_id, date, title, recording_ids, detected_at FROM deleted_events").fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (event["id"], FIRST + timedelta(days=1), event["title"], [r["id"] for r in event["recordings"]])
    ]
    assert rows[0][4] is not None


def test_deleted_meeting_stays_recorded_after_later_runs(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, FIRST)
    emulator.admin.delete_event(event["id"])
    harness.run(FIRST, LAST)
    emulator.admin.edit_event(event_on(emulator, FIRST)["id"], title="Edited after the deletion")

    harness.run(FIRST, LAST)

    deleted = harness.lake.read_partition("deleted_events", FIRST.isoformat())
    assert deleted.column("event_id").to_pylist() == [event["id"]]


def test_keys_unique_across_days_fails_with_error_severity_when_a_day_keeps_a_moved_copy(small_workspace):
    emulator, harness = small_workspace
    raw = harness.lakehouse.raw
    day_one, day_two = FIRST.isoformat(), (FIRST + timedelta(days=1)).isoformat()
    for table in ("calendar_events", "recordings"):
        copy = harness.lake.read_partition(table, day_one)
        harness.lake.write_partition(table, day_two, [harness.lake.read_partition(table, day_two), copy])
    assert raw.partitions("raw_calendar_events")

    result = harness.run(FIRST, LAST, selection=["warehouse"])

    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "keys_unique_across_days")
    assert not check.passed
    assert check.severity.value == "ERROR"
    assert set(check.metadata["duplicate_rows"].value) == {"calendar_events", "recordings"}


def test_meeting_tables_record_every_corrected_day_under_its_own_partition_key(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, FIRST)
    _moved(emulator, event, LAST)
    harness.run(LAST, LAST)

    records = harness.instance.fetch_materializations(AssetKey("meeting_tables"), limit=100).records
    assert FIRST.isoformat() in {record.partition_key for record in records}


def test_a_data_dir_without_day_indexes_is_upgraded_by_the_next_run_which_says_so(small_workspace):
    emulator, harness = small_workspace
    for store in ("lake", "raw"):
        os.unlink(harness.data_dir / store / INDEX_TABLE / "snapshot.parquet")

    result = harness.run(FIRST, LAST)

    messages = [entry.user_message for entry in harness.instance.all_logs(result.run_id)]
    assert any(m.startswith("lake day index missing: rebuilt from its files (3 days)") for m in messages)
    assert any(m.startswith("raw store day index missing: rebuilt from its files (3 days)") for m in messages)
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "keys_unique_across_days")
    assert check.passed
    assert load_day_index(harness.lake)[1] is None and load_day_index(harness.lakehouse.raw)[1] is None
