"""The Dagster home `relate-pipeline run` creates: its event log keeps connections open, loses nothing, and is followed live."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from dagster import AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus, EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from assets.event_log import DAGSTER_VERSION, KeptOpenSqliteEventLogStorage

from relate_cli.runs import FIRST_INSTANCE_YAML

DAY = "2026-05-19"
ROOT = Path(__file__).resolve().parents[2]


def run_day(emulator, data: Path) -> None:
    """`relate-pipeline run` with no DAGSTER_HOME set: the home it creates beside the data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_") and k != "DAGSTER_HOME"}
    env.update(RELATE_API_BASE_URL=emulator.base_url, RELATE_API_KEY=emulator.api_key, RELATE_DATA_DIR=str(data))
    command = [sys.executable, "-m", "relate_cli.main", "run", "--start", DAY, "--end", DAY]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]


def test_every_event_of_runs_that_end_without_teardown_reaches_the_next_reader(emulator, tmp_path):
    data = tmp_path / "data"
    run_day(emulator, data)
    run_day(emulator, data)
    (config,) = data.rglob("dagster.yaml")
    assert "KeptOpenSqliteEventLogStorage" in config.read_text()

    with DagsterInstance.from_config(str(config.parent)) as instance:
        runs = instance.get_runs()
        assert [run.status for run in runs] == [DagsterRunStatus.SUCCESS] * 2
        for run in runs:
            kinds = [entry.dagster_event.event_type_value for entry in instance.all_logs(run.run_id) if entry.dagster_event]
            assert kinds[-1] == DagsterEventType.RUN_SUCCESS.value
            assert kinds.count("ASSET_MATERIALIZATION") == 4
        for key in ("raw_meetings", "meeting_tables"):
            records = instance.fetch_materializations(AssetKey(key), limit=10).records
            assert [record.partition_key for record in records] == [DAY, DAY]


def test_a_home_whose_config_is_the_earlier_default_gets_the_kept_open_event_log_and_keeps_its_runs(emulator, tmp_path):
    data = tmp_path / "data"
    run_day(emulator, data)
    (config,) = data.rglob("dagster.yaml")
    config.write_text(FIRST_INSTANCE_YAML)
    with DagsterInstance.from_config(str(config.parent)) as instance:
        first_run = instance.get_runs()[0].run_id

    run_day(emulator, data)

    assert "KeptOpenSqliteEventLogStorage" in config.read_text()
    with DagsterInstance.from_config(str(config.parent)) as instance:
        assert [run.run_id for run in instance.get_runs()][-1] == first_run
        assert len(instance.get_runs()) == 2


def test_a_watcher_of_a_run_sees_the_events_a_kept_open_connection_writes(tmp_path):
    """The UI follows a running run by watching its database file; here events first land in the WAL."""
    storage = KeptOpenSqliteEventLogStorage(str(tmp_path / "runs"))
    seen: list[str] = []
    arrived = threading.Event()

    def on_event(entry, _cursor) -> None:
        seen.append(entry.user_message)
        arrived.set()

    storage.store_event(log_entry("run-1", "before the watch"))
    storage.watch("run-1", None, on_event)
    try:
        storage.store_event(log_entry("run-1", "while watched"))
        assert arrived.wait(timeout=20)
        assert seen[-1] == "while watched"
    finally:
        storage.end_watch("run-1", on_event)
        storage.dispose()


def test_a_new_runs_database_is_what_dagster_itself_initialises(tmp_path):
    ours = KeptOpenSqliteEventLogStorage(str(tmp_path / "ours"))
    dagsters = SqliteEventLogStorage(str(tmp_path / "dagsters"))
    for storage in (ours, dagsters):
        storage.store_event(log_entry("run-1", "first"))
        storage.store_event(log_entry("run-2", "second"))
    ours.dispose()

    for run_id in ("run-1", "run-2"):
        assert schema(ours.path_for_shard(run_id)) == schema(dagsters.path_for_shard(run_id))
        assert [entry.user_message for entry in ours.get_logs_for_run(run_id)] == [entry.user_message for entry in dagsters.get_logs_for_run(run_id)]
    assert sorted(ours.get_all_run_ids()) == ["run-1", "run-2"]
    assert [path.name for path in (tmp_path / "ours").glob("run-template-*")] == [f"run-template-{DAGSTER_VERSION}.sqlite"]


def test_a_runs_database_another_process_created_first_is_kept(tmp_path):
    SqliteEventLogStorage(str(tmp_path)).store_event(log_entry("run-1", "written by another process"))
    ours = KeptOpenSqliteEventLogStorage(str(tmp_path))
    ours.store_event(log_entry("run-1", "written here"))
    ours.dispose()

    assert [entry.user_message for entry in ours.get_logs_for_run("run-1")] == ["written by another process", "written here"]


def schema(path: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return [
            *connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall(),
            *connection.execute("SELECT version_num FROM alembic_version").fetchall(),
            connection.execute("PRAGMA journal_mode").fetchone(),
        ]


def log_entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None, level=logging.INFO, user_message=message, run_id=run_id, timestamp=time.time(),
        step_key=None, job_name=None, dagster_event=None,
    )
