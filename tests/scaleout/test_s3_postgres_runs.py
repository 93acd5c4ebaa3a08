"""The pipeline as a deployment runs it: the lake on S3, Dagster's instance on PostgreSQL.

The CLI and `dagster` itself are child processes that find both only through the standard
variables (AWS_*, RELATE_DATA_DIR, DAGSTER_HOME), exactly as a pod or a laptop would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterEventType, DagsterRunStatus

from relate_pipeline.day_index import INDEX_TABLE
from relate_pipeline.lake import Lake
from relate_pipeline.tables import CRM_HISTORIES, MEETING_TABLES, RAW_TABLES, WAREHOUSE_TABLES, spec
from tests.pipeline.truth import exposed_events
from tests.scaleout.conftest import instance_at, new_bucket, new_dagster_home, object_keys

ROOT = Path(__file__).resolve().parents[2]
DAYS = ["2026-05-18", "2026-05-19", "2026-05-20"]
DAGSTER = str(Path(sys.executable).with_name("dagster"))
COUNTS_SQL = " UNION ALL ".join(f"SELECT '{name}' AS table_name, count(*) AS row_count FROM {name}" for name in WAREHOUSE_TABLES)


def run(command: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("RELATE_", "DAGSTER_"))}
    return subprocess.run(command, env={**inherited, **env}, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "relate_cli.main", *args], env)


def table_counts(env: dict[str, str]) -> dict[str, int]:
    result = cli("sql", COUNTS_SQL, "--format", "json", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return {row["table_name"]: row["row_count"] for row in json.loads(result.stdout)}


def raw_store_metadata_by_run(instance) -> list[dict]:
    """The raw store's materialization metadata of each run, oldest run first (a ranged run records it per day)."""
    records = instance.fetch_materializations(AssetKey("raw_meetings"), limit=1000).records
    by_run: dict[str, dict] = {}
    for record in sorted(records, key=lambda r: r.storage_id):
        by_run.setdefault(record.run_id, {k: v.value for k, v in record.asset_materialization.metadata.items()})
    return list(by_run.values())


class CliRuns:
    """Two `relate-pipeline run`s of the same days on S3 + PostgreSQL, and one on local disk to compare."""

    def __init__(self, emulator, postgres, tmp: Path):
        self.bucket = new_bucket()
        self.dagster = new_dagster_home(postgres, tmp / "dagster_home")
        api = {"RELATE_API_BASE_URL": emulator.base_url, "RELATE_API_KEY": emulator.api_key}
        self.s3 = {
            **api, **self.dagster, **{k: os.environ[k] for k in os.environ if k.startswith("AWS_")},
            "RELATE_DATA_DIR": f"s3://{self.bucket}/relate",
            "RELATE_WAREHOUSE_PATH": str(tmp / "analyst" / "warehouse.duckdb"),
        }
        self.local = {**api, "RELATE_DATA_DIR": str(tmp / "local"), "DAGSTER_HOME": str(tmp / "local_home")}
        (tmp / "local_home").mkdir()
        self.first = cli("run", "--start", DAYS[0], "--end", DAYS[-1], env=self.s3)
        self.counts_after_first = table_counts(self.s3) if self.first.returncode == 0 else {}
        self.rerun = cli("run", "--start", DAYS[0], "--end", DAYS[-1], env=self.s3)
        self.local_run = cli("run", "--start", DAYS[0], "--end", DAYS[-1], env=self.local)


@pytest.fixture(scope="module")
def cli_runs(emulator, postgres, s3_env, tmp_path_factory) -> CliRuns:
    return CliRuns(emulator, postgres, tmp_path_factory.mktemp("cli_runs"))


def test_cli_runs_on_s3_and_postgres_succeed(cli_runs):
    for result in (cli_runs.first, cli_runs.rerun, cli_runs.local_run):
        assert result.returncode == 0, result.stderr[-3000:]


def test_every_table_of_every_day_is_one_object_in_the_bucket_and_nothing_else(cli_runs):
    expected = {f"relate/raw/{name}/date={day}/part.parquet" for name in RAW_TABLES for day in DAYS}
    expected |= {f"relate/lake/{name}/date={day}/part.parquet" for name in MEETING_TABLES for day in DAYS}
    expected |= {f"relate/lake/{name}/snapshot.parquet" for name in WAREHOUSE_TABLES if not spec(name).partitioned}
    expected |= {f"relate/{store}/{INDEX_TABLE}/snapshot.parquet" for store in ("lake", "raw")}
    snapshot_day = datetime.now(timezone.utc).date()  # the CRM history's changes: the first run's snapshot, one file per table
    expected |= {f"relate/lake/{name}/date={snapshot_day}/part.parquet" for name in CRM_HISTORIES}
    assert set(object_keys(cli_runs.bucket)) == expected


def test_both_runs_are_recorded_in_postgresql(cli_runs):
    with instance_at(cli_runs.dagster) as instance:
        runs = instance.get_runs()
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert [(r.job_name, r.status) for r in runs] == [("relate_pipeline", DagsterRunStatus.SUCCESS)] * 2


def test_the_unchanged_rerun_downloads_no_recording_again_and_changes_no_count(cli_runs):
    with instance_at(cli_runs.dagster) as instance:
        first, rerun = raw_store_metadata_by_run(instance)
    assert first["recordings_fetched"] > 0
    assert (rerun["recordings_fetched"], rerun["recordings_reused"]) == (0, first["recordings_fetched"])
    assert table_counts(cli_runs.s3) == cli_runs.counts_after_first


def test_sql_on_the_s3_lake_answers_the_same_counts_as_a_local_run(cli_runs):
    local = table_counts(cli_runs.local)
    assert local["calendar_events"] > 0 and local["transcript_utterances"] > 0
    assert table_counts(cli_runs.s3) == local


def test_sql_prints_csv_and_a_table_too(cli_runs):
    query = "SELECT count(*) AS meetings FROM meetings"
    expected = table_counts(cli_runs.s3)["calendar_events"]
    csv_output = cli("sql", query, "--format", "csv", env=cli_runs.s3)
    table_output = cli("sql", query, env=cli_runs.s3)
    assert csv_output.stdout.splitlines() == ["meetings", str(expected)]
    assert table_output.stdout.split() == ["meetings", "----------", str(expected)]


def test_a_backfill_in_separate_processes_shares_one_postgresql_instance_and_one_bucket(emulator, postgres, s3_env, tmp_path):
    """One `dagster` process per day at once, each running its step in a child process: the Kubernetes shape."""
    bucket = new_bucket()
    dagster_env = new_dagster_home(postgres, tmp_path / "dagster_home")
    env = {
        **s3_env, **dagster_env,
        "RELATE_API_BASE_URL": emulator.base_url,
        "RELATE_API_KEY": emulator.api_key,
        "RELATE_DATA_DIR": f"s3://{bucket}/relate",
        "RELATE_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
    }
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("RELATE_", "DAGSTER_"))}
    with instance_at(dagster_env):
        pass  # The instance's tables are created once, as a deployment's migration step does before its workers start.
    processes = [
        subprocess.Popen(
            [DAGSTER, "asset", "materialize", "-m", "assets.definitions", "--select", "raw_meetings,meeting_tables",
             "--partition", day],
            env={**inherited, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for day in DAYS
    ]
    errors = [process.communicate(timeout=300)[1] for process in processes]
    failures = [error[-3000:] for process, error in zip(processes, errors) if process.returncode]
    assert failures == []

    with instance_at(dagster_env) as instance:
        assert instance.get_materialized_partitions(AssetKey("meeting_tables")) == set(DAYS)
        runs = instance.get_runs()
        assert len(runs) == len(DAYS) and all(r.status == DagsterRunStatus.SUCCESS for r in runs)
        for dagster_run in runs:
            events = [e.dagster_event for e in instance.all_logs(dagster_run.run_id) if e.dagster_event]
            run_pids = {e.pid for e in events if e.event_type == DagsterEventType.RUN_START}
            step_pids = {e.pid for e in events if e.event_type == DagsterEventType.STEP_START}
            assert step_pids and not step_pids & run_pids, "each step runs in its own process"

    lake = Lake(f"s3://{bucket}/relate/lake")
    snapshot = emulator.admin.snapshot()
    for day in DAYS:
        landed = sorted(lake.read_partition("calendar_events", day).column("event_id").to_pylist())
        truth = sorted(e["id"] for e in exposed_events(snapshot, date.fromisoformat(day), date.fromisoformat(day), "UTC"))
        assert landed == truth, day
