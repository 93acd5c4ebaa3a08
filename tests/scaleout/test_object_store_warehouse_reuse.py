"""A warehouse over a lake on S3 (moto's server) is kept while no object changed, and rebuilt when one is replaced."""

from __future__ import annotations

from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.lake import Lake
from relate_pipeline.warehouse.build import refresh_warehouse

DAY = "2026-05-18"


def _write_day(lake: Lake, event_ids: list[str]) -> None:
    events = [{"id": event_id, "start_at": f"{DAY}T09:00:00Z", "attendees": [], "recordings": []} for event_id in event_ids]
    for name, table in flatten_events(events).items():
        lake.write_partition(name, DAY, table)


def test_warehouse_over_an_unchanged_object_store_lake_is_kept(bucket, tmp_path):
    lake = Lake(f"s3://{bucket}/lake")
    _write_day(lake, ["E1", "E2"])
    built = refresh_warehouse(tmp_path / "warehouse.duckdb", lake)

    again = refresh_warehouse(tmp_path / "warehouse.duckdb", lake)

    assert (built.rebuilt, again.rebuilt) == (True, False)
    assert again.fingerprint == built.fingerprint
    assert again.rows["calendar_events"] == 2


def test_replacing_an_object_of_the_lake_rebuilds_the_warehouse(bucket, tmp_path):
    lake = Lake(f"s3://{bucket}/lake")
    _write_day(lake, ["E1", "E2"])
    refresh_warehouse(tmp_path / "warehouse.duckdb", lake)
    _write_day(lake, ["E1", "E2", "E3"])

    again = refresh_warehouse(tmp_path / "warehouse.duckdb", lake)

    assert again.rebuilt
    assert again.rows["calendar_events"] == 3
