"""The warehouse is rebuilt exactly when something it reads changed, and its checks stay honest when it is not.

Each case loads the small workspace, changes one input, and runs the whole graph again through Dagster.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

import relate_pipeline.warehouse.build as warehouse_module
from assets.resources import Lakehouse
from relate_pipeline.client import ClientSettings
from tests.pipeline.workspace_support import SMALL_WORKSPACE_DAYS, event_on, metadata_of
from tests.support.writing_client import WritingRelateClient

FIRST, LAST = SMALL_WORKSPACE_DAYS


def _file_identity(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_ino, status.st_mtime_ns


def _warehouse_metadata(result) -> dict:
    (materialization,) = result.asset_materializations_for_node("warehouse")
    return materialization.metadata


def _checks(result) -> dict:
    return {e.check_name: e for e in result.get_asset_check_evaluations() if e.asset_key.to_user_string() == "warehouse"}


def _rerun_rebuilt(harness) -> bool:
    """Run the range again; whether the warehouse file was replaced, after checking the metadata says the same."""
    before = _file_identity(harness.warehouse_path)
    result = harness.run(FIRST, LAST)
    assert result.success
    replaced = _file_identity(harness.warehouse_path) != before
    assert _warehouse_metadata(result)["rebuilt"].value is replaced
    return replaced


def test_unchanged_rerun_keeps_the_warehouse_file_and_reports_the_same_check_figures(small_workspace):
    emulator, harness = small_workspace
    first = harness.run(FIRST, LAST)
    before = _file_identity(harness.warehouse_path)

    again = harness.run(FIRST, LAST)

    assert _file_identity(harness.warehouse_path) == before
    metadata = _warehouse_metadata(again)
    assert metadata["rebuilt"].value is False
    assert metadata["rows/calendar_events"].value == _warehouse_metadata(first)["rows/calendar_events"].value
    for name, check in _checks(first).items():
        reused = _checks(again)[name]
        assert (reused.passed, reused.metadata) == (check.passed, check.metadata), name


def test_edited_meeting_rebuilds_the_warehouse(small_workspace):
    emulator, harness = small_workspace
    emulator.admin.edit_event(event_on(emulator, FIRST)["id"], title="Renamed between runs")

    assert _rerun_rebuilt(harness)

    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM meetings WHERE title = 'Renamed between runs'").fetchone() == (1,)


def test_moved_meeting_rebuilds_the_warehouse(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, FIRST)
    start = datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc)
    emulator.admin.reschedule_event(event["id"], datetime.combine(LAST, start.timetz()))

    assert _rerun_rebuilt(harness)


def test_deleted_meeting_rebuilds_the_warehouse(small_workspace):
    emulator, harness = small_workspace
    event = event_on(emulator, FIRST)
    emulator.admin.delete_event(event["id"])

    assert _rerun_rebuilt(harness)

    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        assert connection.execute("SELECT event_id FROM deleted_events").fetchall() == [(event["id"],)]


def test_crm_change_rebuilds_the_warehouse(small_workspace):
    emulator, harness = small_workspace
    with WritingRelateClient(ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)) as client:
        organization_id = emulator.admin.snapshot()["organizations"][0]["id"]
        client.create_note({"organization_id": organization_id, "body": "A note written between two runs"})

    assert _rerun_rebuilt(harness)


def test_changed_view_definition_in_code_rebuilds_the_warehouse(small_workspace, monkeypatch):
    emulator, harness = small_workspace
    extra_view = "CREATE VIEW meeting_total AS SELECT count(*) AS meetings FROM meetings"
    monkeypatch.setattr(warehouse_module, "_ANALYST_SQL", (*warehouse_module._ANALYST_SQL, extra_view))

    assert _rerun_rebuilt(harness)

    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        assert connection.execute("SELECT meetings > 0 FROM meeting_total").fetchone() == (True,)


def test_changed_internal_domains_rebuild_the_warehouse(small_workspace):
    emulator, harness = small_workspace
    harness.lakehouse = Lakehouse(data_dir=str(harness.data_dir), internal_domains=["elsewhere.example"])

    assert _rerun_rebuilt(harness)

    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        assert connection.execute("SELECT domain FROM internal_domains").fetchall() == [("elsewhere.example",)]


def test_unchanged_rerun_still_fails_keys_unique_across_days_while_a_duplicate_stays(small_workspace):
    emulator, harness = small_workspace
    day_one, day_two = FIRST.isoformat(), (FIRST + timedelta(days=1)).isoformat()
    copy = harness.lake.read_partition("calendar_events", day_one)
    harness.lake.write_partition("calendar_events", day_two, [harness.lake.read_partition("calendar_events", day_two), copy])
    assert harness.run(FIRST, LAST, selection=["warehouse"]).success
    before = _file_identity(harness.warehouse_path)

    result = harness.run(FIRST, LAST, selection=["warehouse"])

    assert _file_identity(harness.warehouse_path) == before
    check = _checks(result)["keys_unique_across_days"]
    assert not check.passed
    assert check.metadata["duplicate_rows"].value == {"calendar_events": copy.num_rows}


def test_unchanged_warehouse_measures_the_talk_check_over_the_runs_own_days(small_workspace):
    emulator, harness = small_workspace
    whole = _checks(harness.run(FIRST, LAST, selection=["warehouse"]))["talk_resolution_rate"]
    before = _file_identity(harness.warehouse_path)

    one_day = _checks(harness.run(LAST, LAST, selection=["warehouse"]))["talk_resolution_rate"]

    assert _file_identity(harness.warehouse_path) == before
    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        (talk,) = connection.execute(
            "SELECT sum(talk_seconds) FROM speaker_stats WHERE date = ?", [LAST]
        ).fetchone()
    assert one_day.metadata["talk_seconds"].value == pytest.approx(talk)
    assert one_day.metadata["talk_seconds"].value < whole.metadata["talk_seconds"].value
