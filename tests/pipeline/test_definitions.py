"""The code location as Dagster loads it: the graph people see in the UI, and runs from outside."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, DagsterEventType, DagsterInstance

from assets.definitions import defs
from assets.pools import LAKE_POOL
from relate_pipeline.tables import CRM_TABLES, MEETING_TABLES, TABLES

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = str(Path(sys.executable).with_name("dagster"))
DG = str(Path(sys.executable).with_name("dg"))


def test_graph_holds_the_raw_store_the_table_groups_the_warehouse_and_the_history_listing():
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"raw_meetings", "meeting_tables", "crm_snapshots", "warehouse", "history_listing"}


def test_every_step_that_writes_the_lake_is_in_the_lake_pool_and_the_history_listing_is_not():
    graph = defs.resolve_asset_graph()
    for key in ("raw_meetings", "meeting_tables", "crm_snapshots", "warehouse"):
        assert graph.get(AssetKey(key)).pools == {LAKE_POOL}, key
    assert graph.get(AssetKey("history_listing")).pools == set()


def test_the_key_checks_upstream_of_the_warehouse_block_it_when_they_fail():
    graph = defs.resolve_asset_graph()
    blocking = {
        (key.asset_key.to_user_string(), key.name)
        for key in graph.asset_check_keys
        if graph.get(key).blocking
    }
    assert blocking == {("meeting_tables", "unique_keys"), ("meeting_tables", "rows_have_recordings"), ("crm_snapshots", "unique_keys")}


def test_the_warehouse_carries_a_code_version_every_process_computes_alike():
    """Dagster marks the warehouse changed when its code version differs from the last materialization's."""
    version = defs.resolve_asset_graph().get(AssetKey("warehouse")).code_version
    elsewhere = subprocess.run(
        [sys.executable, "-c", "from assets.warehouse import CODE_VERSION; print(CODE_VERSION)"],
        cwd=ROOT, env={**os.environ, "RELATE_API_KEY": "unused"}, capture_output=True, text=True, timeout=120,
    )
    assert version and elsewhere.stdout.strip() == version


def test_the_cli_run_and_the_meeting_runs_leave_the_history_listing_to_the_reconcile_job():
    for name in ("relate_pipeline", "relate_meetings"):
        assert AssetKey("history_listing") not in defs.resolve_job_def(name).asset_layer.selected_asset_keys, name
    assert defs.resolve_job_def("relate_reconcile").asset_layer.selected_asset_keys == {AssetKey("history_listing")}


def test_the_warehouse_depends_on_both_table_groups_and_the_tables_on_the_raw_store():
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("warehouse")).parent_keys == {AssetKey("meeting_tables"), AssetKey("crm_snapshots")}
    assert graph.get(AssetKey("meeting_tables")).parent_keys == {AssetKey("raw_meetings")}


def test_every_table_is_described_with_its_columns_in_its_assets_definition():
    graph = defs.resolve_asset_graph()
    for asset, tables in (("meeting_tables", MEETING_TABLES), ("crm_snapshots", CRM_TABLES)):
        metadata = graph.get(AssetKey(asset)).metadata
        for table in tables:
            assert f"`{table}`" in metadata["tables"].value, table
            columns = [column.name for column in metadata[f"columns/{table}"].schema.columns]
            assert columns == list(TABLES[table].schema.names), table


def test_every_asset_has_a_description_a_group_and_kinds():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, key
        assert node.group_name != "default", key
        assert node.kinds, key


def test_meeting_assets_are_daily_partitioned_and_crm_is_not():
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("raw_meetings")).partitions_def is not None
    assert graph.get(AssetKey("meeting_tables")).partitions_def is not None
    assert graph.get(AssetKey("crm_snapshots")).partitions_def is None


def test_schedule_sensor_and_jobs_are_registered():
    assert defs.resolve_schedule_def("nightly")
    assert defs.resolve_schedule_def("weekly_reconcile")
    assert defs.resolve_sensor_def("meeting_changes")
    assert defs.resolve_sensor_def("reconcile_requests")
    assert defs.resolve_job_def("relate_pipeline")
    assert defs.resolve_job_def("relate_meetings")


def _dg_check_defs(env: dict[str, str]) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_")}
    return subprocess.run(
        [DG, "check", "defs"],
        cwd=ROOT,
        env={**inherited, "VIRTUAL_ENV": sys.prefix, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_dagsters_own_checker_validates_the_definitions():
    result = _dg_check_defs({"RELATE_API_KEY": "unused"})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_dagsters_own_checker_fails_on_a_bad_setting():
    """The checker can fail: a code location whose settings are invalid does not load."""
    result = _dg_check_defs({"RELATE_API_KEY": "unused", "RELATE_TIMEZONE": "Mars/Olympus"})
    assert result.returncode != 0
    assert "RELATE_TIMEZONE must be an IANA time zone" in result.stdout + result.stderr


def test_a_partition_range_launched_by_the_dagster_cli_runs_each_step_in_its_own_process(emulator, tmp_path):
    """The multiprocess executor shares nothing in memory between steps: everything goes through the lake."""
    env = {
        **os.environ,
        "RELATE_API_BASE_URL": emulator.base_url,
        "RELATE_API_KEY": emulator.api_key,
        "RELATE_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path),
    }
    result = subprocess.run(
        [DAGSTER, "asset", "materialize", "-m", "assets.definitions", "--select", "raw_meetings,meeting_tables",
         "--partition-range", "2026-05-19...2026-05-20"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        (run,) = instance.get_runs()
        events = [entry.dagster_event for entry in instance.all_logs(run.run_id) if entry.dagster_event]
    run_pids = {event.pid for event in events if event.event_type == DagsterEventType.RUN_START}
    step_pids = {event.pid for event in events if event.event_type == DagsterEventType.STEP_START}
    assert step_pids and not step_pids & run_pids
    for table in MEETING_TABLES:
        partitions = sorted(p.name for p in (tmp_path / "data" / "lake" / table).iterdir())
        assert partitions == ["date=2026-05-19", "date=2026-05-20"], table


def test_every_schedule_and_the_sensor_are_stopped_until_turned_on():
    from dagster import DefaultScheduleStatus, DefaultSensorStatus

    assert {defs.resolve_schedule_def(name).default_status for name in ("nightly", "weekly_reconcile")} == {
        DefaultScheduleStatus.STOPPED
    }
    assert defs.resolve_sensor_def("meeting_changes").default_status == DefaultSensorStatus.STOPPED
