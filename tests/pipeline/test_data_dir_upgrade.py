"""A data dir written before the per-day metric tables existed upgrades itself with the next run, whatever its range."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb

from relate_pipeline.tables import METRIC_TABLES
from tests.pipeline.workspace_support import SMALL_WORKSPACE_DAYS, materialized_partitions, metadata_of

VIEWS = ("speaker_stats", "recording_stats", "action_items", "organization_activity")
LAST_DAY = SMALL_WORKSPACE_DAYS[1]


def view_rows(harness) -> dict[str, list]:
    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        return {view: sorted(map(repr, connection.execute(f"FROM {view}").fetchall())) for view in VIEWS}


def metric_rows(harness) -> dict[tuple[str, str], list]:
    lake = harness.lake
    return {
        (name, day): sorted(map(repr, lake.read_partition(name, day).to_pylist()))
        for name in METRIC_TABLES
        for day in lake.partitions(name)
    }


def remove_metric_tables(harness) -> None:
    for name in METRIC_TABLES:
        shutil.rmtree(harness.data_dir / "lake" / name)


def test_a_night_after_the_upgrade_fills_every_old_day_with_its_metrics(small_workspace):
    _, harness = small_workspace
    views, metrics = view_rows(harness), metric_rows(harness)
    remove_metric_tables(harness)

    result = harness.run(LAST_DAY, LAST_DAY)

    assert metric_rows(harness) == metrics
    assert view_rows(harness) == views
    older = {day.isoformat() for day in (date(2026, 5, 18), date(2026, 5, 19))}
    assert older <= materialized_partitions(result, "meeting_tables")
    assert metadata_of(result, "meeting_tables")["days_flattened"].value == 3


def test_once_upgraded_a_night_flattens_no_old_day_again(small_workspace):
    _, harness = small_workspace
    remove_metric_tables(harness)
    harness.run(LAST_DAY, LAST_DAY)

    result = harness.run(LAST_DAY, LAST_DAY)

    assert metadata_of(result, "meeting_tables")["days_flattened"].value == 0
