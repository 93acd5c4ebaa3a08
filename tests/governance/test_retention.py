"""RELATE_RETENTION_DAYS: days before today − N (in RELATE_TIMEZONE) leave every store on every run, and never come back."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from dagster import AssetKey, DagsterInstance

from relate_pipeline.governance.retention import Retention, purge_expired_days
from relate_pipeline.lake import Lake
from relate_pipeline.meetings.days import local_day
from relate_pipeline.tables import MEETING_TABLES, RAW_TABLES, empty_table
from tests.governance.scan_support import findings, local_files
from tests.pipeline.test_cli import emulator_env, run_cli

ZONE = "Pacific/Auckland"
"""Twelve or thirteen hours ahead of UTC: most meetings fall on another day there than in UTC."""


def test_the_first_kept_day_is_today_minus_the_retention():
    retention = Retention(30, date(2026, 3, 31))
    assert retention.first_kept == date(2026, 3, 1)
    assert Retention(None, date(2026, 3, 31)).first_kept is None


def test_today_is_the_day_in_the_pipelines_zone_not_in_utc():
    late_evening_utc = datetime(2026, 3, 31, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert Retention.at(1, ZoneInfo(ZONE), late_evening_utc).today == date(2026, 4, 1)
    assert Retention.at(1, ZoneInfo("America/Los_Angeles"), late_evening_utc).today == date(2026, 3, 31)


def test_a_range_reaching_past_the_cutoff_keeps_its_newer_part_and_says_so_in_one_line():
    retention = Retention(3, date(2026, 5, 20))
    assert retention.clamp(date(2026, 5, 10), date(2026, 5, 20)) == (date(2026, 5, 17), date(2026, 5, 20))
    assert retention.clamp(date(2026, 5, 17), date(2026, 5, 20)) == (date(2026, 5, 17), date(2026, 5, 20))
    assert retention.clamp(date(2026, 5, 1), date(2026, 5, 16)) is None
    note = retention.clamp_note(date(2026, 5, 10), date(2026, 5, 20))
    assert note == (
        "RELATE_RETENTION_DAYS=3: days before 2026-05-17 are not kept, so this run loads only 2026-05-17 .. 2026-05-20 "
        "(7 of its days skipped)"
    )
    assert retention.clamp_note(date(2026, 5, 17), date(2026, 5, 20)) is None
    assert "loads nothing (16 of its days skipped)" in retention.clamp_note(date(2026, 5, 1), date(2026, 5, 16))


def _fill(lake: Lake, tables, days) -> None:
    for name in tables:
        for day in days:
            lake.write_partition(name, day, empty_table(name))


def test_a_purge_removes_every_table_of_the_days_before_the_cutoff_and_keeps_the_boundary_day(tmp_path):
    raw, lake = Lake(str(tmp_path / "raw")), Lake(str(tmp_path / "lake"))
    days = ["2026-05-15", "2026-05-16", "2026-05-17", "2026-05-18"]
    _fill(raw, RAW_TABLES, days)
    _fill(lake, MEETING_TABLES, days)
    purged = purge_expired_days(raw, lake, Retention(2, date(2026, 5, 18)))
    assert purged == ["2026-05-15"]
    for store, names in ((raw, RAW_TABLES), (lake, MEETING_TABLES)):
        for name in names:
            assert store.partitions(name) == days[1:]
    assert not (tmp_path / "lake" / "calendar_events" / "date=2026-05-15").exists()
    assert purge_expired_days(raw, lake, Retention(2, date(2026, 5, 18))) == []


def test_a_purge_interrupted_half_way_is_finished_by_the_next(tmp_path):
    raw, lake = Lake(str(tmp_path / "raw")), Lake(str(tmp_path / "lake"))
    _fill(raw, RAW_TABLES, ["2026-05-01"])
    _fill(lake, MEETING_TABLES, ["2026-05-01"])
    for name in MEETING_TABLES[:4]:
        lake.remove_partition(name, "2026-05-01")
    assert purge_expired_days(raw, lake, Retention(1, date(2026, 5, 18))) == ["2026-05-01"]
    assert not any(store.partitions(name) for store, names in ((raw, RAW_TABLES), (lake, MEETING_TABLES)) for name in names)


def test_without_retention_nothing_is_purged(tmp_path):
    raw, lake = Lake(str(tmp_path / "raw")), Lake(str(tmp_path / "lake"))
    _fill(raw, RAW_TABLES, ["2020-01-01"])
    assert purge_expired_days(raw, lake, Retention(None, date(2026, 5, 18))) == []
    assert raw.partitions("raw_recordings") == ["2020-01-01"]


# ---------------------------------------------------------------- real runs, in a zone that is not UTC
def _lake_days(data: Path, table: str, store: str = "lake") -> list[str]:
    return Lake(str(data / store)).partitions(table)


def _event_ids(data: Path, day: str) -> set[str]:
    table = Lake(str(data / "lake")).read_partition("calendar_events", day)
    return set(table.column("event_id").to_pylist())


def _latest_metadata(home: Path, asset: str) -> dict:
    with DagsterInstance.from_config(str(home)) as instance:
        event = instance.get_latest_materialization_event(AssetKey(asset))
        return event.asset_materialization.metadata


@pytest.fixture
def loaded_week(make_emulator, tmp_path):
    """Six days up to today in Pacific/Auckland, loaded once without retention: (emulator, env, today)."""
    today = datetime.now(ZoneInfo(ZONE)).date()
    emulator = make_emulator(end_date=today.isoformat(), days=7, meetings_per_day=6, contacts=40, organizations=10, late_fraction=0.0)
    env = {**emulator_env(emulator, tmp_path), "RELATE_TIMEZONE": ZONE, "RELATE_START_DATE": (today - timedelta(days=10)).isoformat()}
    first = today - timedelta(days=5)
    result = run_cli("run", "--start", first.isoformat(), "--end", today.isoformat(), env=env)
    assert result.returncode == 0, result.stderr
    return emulator, env, today


def test_a_one_day_run_purges_every_day_before_the_cutoff_and_keeps_the_boundary_day(loaded_week, tmp_path):
    emulator, env, today = loaded_week
    data, cutoff = tmp_path / "data", today - timedelta(days=3)
    before = _lake_days(data, "calendar_events")
    assert [day for day in before if day < cutoff.isoformat()], "the load must reach past the cutoff"
    boundary = _event_ids(data, cutoff.isoformat())
    in_zone = {
        event["id"]
        for event in emulator.admin.snapshot()["calendar_events"]
        if event["exposed"] and local_day(event["start_at"], ZoneInfo(ZONE)) == cutoff.isoformat()
    }
    assert boundary == in_zone and boundary
    expired = set().union(*(_event_ids(data, day) for day in before if day < cutoff.isoformat()))

    result = run_cli("run", "--start", today.isoformat(), "--end", today.isoformat(), env={**env, "RELATE_RETENTION_DAYS": "3"})
    assert result.returncode == 0, result.stderr
    for store, names in (("lake", MEETING_TABLES), ("raw", RAW_TABLES)):
        for name in names:
            assert min(_lake_days(data, name, store)) == cutoff.isoformat(), (store, name)
    assert _event_ids(data, cutoff.isoformat()) == boundary
    purged = [day for day in before if day < cutoff.isoformat()]
    assert _latest_metadata(Path(env["DAGSTER_HOME"]), "raw_meetings")["retention_days_purged"].value == len(purged)
    rows = run_cli("sql", f"SELECT count(*) FROM calendar_events WHERE date < DATE '{cutoff}'", "--format", "csv", env=env)
    assert rows.stdout.splitlines()[-1] == "0"
    assert expired and findings(local_files(data), exact=expired) == [], "no file, the day index included, names an expired meeting"


def test_a_range_past_the_cutoff_loads_only_the_days_inside_it_and_says_so_once(loaded_week, tmp_path):
    emulator, env, today = loaded_week
    data, cutoff = tmp_path / "data", today - timedelta(days=2)
    first = today - timedelta(days=5)
    result = run_cli("run", "--start", first.isoformat(), "--end", today.isoformat(), env={**env, "RELATE_RETENTION_DAYS": "2"})
    assert result.returncode == 0, result.stderr
    note = f"RELATE_RETENTION_DAYS=2: days before {cutoff} are not kept, so this run loads only {cutoff} .. {today} (3 of its days skipped)"
    assert (result.stdout + result.stderr).count(note) == 1
    assert min(_lake_days(data, "calendar_events")) >= cutoff.isoformat()
    assert min(_lake_days(data, "raw_recordings", "raw")) >= cutoff.isoformat()


def test_schedules_and_the_sensor_ask_for_no_day_before_the_cutoff():
    from assets.governance import first_day_loaded

    start = date(2026, 1, 1)
    assert first_day_loaded(start, 30, date(2026, 5, 31)) == date(2026, 5, 1)
    assert first_day_loaded(start, 30, date(2026, 1, 15)) == date(2026, 1, 1)
    assert first_day_loaded(start, None, date(2026, 5, 31)) == date(2026, 1, 1)


def test_a_meeting_rescheduled_to_before_the_cutoff_leaves_its_day_and_is_not_followed(make_emulator, make_harness):
    from assets.resources import LookBack
    from tests.pipeline.workspace_support import event_on, lake_event_days

    today = datetime.now(ZoneInfo("UTC")).date()
    emulator = make_emulator(end_date=today.isoformat(), days=4, meetings_per_day=6, contacts=40, organizations=10, late_fraction=0.0)
    harness = make_harness(emulator)
    assert harness.run(today - timedelta(days=1), today).success
    moved = event_on(emulator, today - timedelta(days=1))
    assert moved["id"] in lake_event_days(harness)
    long_ago = datetime.combine(today - timedelta(days=10), datetime.min.time(), ZoneInfo("UTC")) + timedelta(hours=15)
    emulator.admin.reschedule_event(moved["id"], long_ago)
    harness.look_back = LookBack(retention_days=2)
    assert harness.run(today - timedelta(days=1), today).success
    assert moved["id"] not in lake_event_days(harness)
    for name in ("raw_calendar_events", "raw_recordings"):
        assert min(harness.lakehouse.raw.partitions(name)) >= (today - timedelta(days=2)).isoformat()
    assert min(harness.lake.partitions("calendar_events")) >= (today - timedelta(days=2)).isoformat()
