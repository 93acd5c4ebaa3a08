"""What the workspace-change tests read back: where each id lives in the lake, and what a run recorded."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

# Small on purpose: every case is several whole Dagster runs against its own emulator.
SMALL_WORKSPACE = dict(days=3, end_date="2026-05-20", meetings_per_day=6, contacts=40, organizations=10, late_fraction=0.0)
SMALL_WORKSPACE_DAYS = (date(2026, 5, 18), date(2026, 5, 20))


def event_on(emulator, day: date, skip: int = 0) -> dict:
    """An exposed event starting on ``day`` (UTC), with a done recording; ``skip`` picks a later one."""
    events = [
        event
        for event in emulator.admin.snapshot()["calendar_events"]
        if event["exposed"]
        and datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc).date() == day
        and any(r["status"] == "done" for r in event["recordings"])
    ]
    return sorted(events, key=lambda e: e["id"])[skip]


def _id_days(lake, table: str, column: str) -> dict[str, list[str]]:
    days: dict[str, list[str]] = defaultdict(list)
    for day in lake.partitions(table):
        for value in lake.read_partition(table, day).column(column).to_pylist():
            days[value].append(day)
    return dict(days)


def lake_event_days(harness) -> dict[str, list[str]]:
    return _id_days(harness.lake, "calendar_events", "event_id")


def lake_recording_days(harness) -> dict[str, list[str]]:
    return _id_days(harness.lake, "recordings", "recording_id")


def metadata_of(result, asset: str) -> dict:
    """The metadata of the run's materialization of ``asset`` (the one covering the run's range)."""
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == asset and "days" in materialization.metadata:
            return materialization.metadata
    raise AssertionError(f"no materialization of {asset} with run metadata")


def materialized_partitions(result, asset: str) -> set[str]:
    return {
        event.event_specific_data.materialization.partition
        for event in result.get_asset_materialization_events()
        if event.event_specific_data.materialization.asset_key.to_user_string() == asset
    }


def file_states(root: str | Path) -> dict[str, tuple[str, int]]:
    """sha256 and modification time (ns) of every file under ``root``: untouched means both equal."""
    root = Path(root)
    return {
        str(path.relative_to(root)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*.parquet"))
    }
