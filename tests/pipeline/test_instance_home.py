"""The Dagster home `relate-pipeline run` creates beside the data: Dagster's own storage, and earlier homes kept readable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, DagsterEventType, DagsterInstance, DagsterRunStatus

from relate_cli.runs import INSTANCE_YAML, write_instance_config

DAY = "2026-05-19"
ROOT = Path(__file__).resolve().parents[2]

EARLIER_VERSIONS_YAML = """telemetry:
  enabled: false
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: {base}/history
event_log_storage:
  module: assets.event_log
  class: KeptOpenSqliteEventLogStorage
  config:
    base_dir: {base}/history/runs
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: {base}/schedules
"""
"""The ``dagster.yaml`` earlier versions of the CLI wrote for a new home, word for word."""


def run_day(emulator, data: Path) -> None:
    """`relate-pipeline run` with no DAGSTER_HOME set: the home it creates beside the data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_") and k != "DAGSTER_HOME"}
    env.update(RELATE_API_BASE_URL=emulator.base_url, RELATE_API_KEY=emulator.api_key, RELATE_DATA_DIR=str(data))
    command = [sys.executable, "-m", "relate_cli.main", "run", "--start", DAY, "--end", DAY]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]


def recorded_runs(home: Path) -> list[tuple[str, DagsterRunStatus, list[str]]]:
    """Each run in ``home``, oldest first: its id, status and the kinds of its Dagster events."""
    with DagsterInstance.from_config(str(home)) as instance:
        return [
            (run.run_id, run.status, [entry.dagster_event.event_type_value for entry in instance.all_logs(run.run_id) if entry.dagster_event])
            for run in reversed(instance.get_runs())
        ]


def materialized_days(home: Path, key: str) -> list[str]:
    with DagsterInstance.from_config(str(home)) as instance:
        return [record.partition_key for record in instance.fetch_materializations(AssetKey(key), limit=10).records]


def test_runs_land_whole_in_dagsters_own_storage_in_a_home_beside_the_data(emulator, tmp_path):
    data = tmp_path / "data"
    run_day(emulator, data)
    run_day(emulator, data)

    (config,) = data.rglob("dagster.yaml")
    assert config.read_text() == INSTANCE_YAML
    runs = recorded_runs(config.parent)
    assert [status for _, status, _ in runs] == [DagsterRunStatus.SUCCESS] * 2
    for _, _, kinds in runs:
        assert kinds[-1] == DagsterEventType.RUN_SUCCESS.value
        assert kinds.count("ASSET_MATERIALIZATION") == 4
    assert materialized_days(config.parent, "meeting_tables") == [DAY, DAY]


def test_a_home_written_by_earlier_versions_gets_dagsters_own_storage_and_keeps_its_runs(emulator, tmp_path):
    data = tmp_path / "data"
    run_day(emulator, data)
    (config,) = data.rglob("dagster.yaml")
    (stored,) = recorded_runs(config.parent)
    config.write_text(EARLIER_VERSIONS_YAML.format(base=config.parent.resolve()))

    run_day(emulator, data)

    assert config.read_text() == INSTANCE_YAML
    runs = recorded_runs(config.parent)
    assert runs[0] == stored
    assert [status for _, status, _ in runs] == [DagsterRunStatus.SUCCESS] * 2
    assert materialized_days(config.parent, "raw_meetings") == [DAY, DAY]


def test_a_home_with_a_dagster_yaml_of_its_own_keeps_it(tmp_path):
    own = "telemetry:\n  enabled: true\nrun_monitoring:\n  enabled: true\n"
    (tmp_path / "dagster.yaml").write_text(own)

    write_instance_config(tmp_path)

    assert (tmp_path / "dagster.yaml").read_text() == own


def test_a_home_with_the_dagster_yaml_an_earlier_version_wrote_gets_the_one_slot_pool(tmp_path):
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    write_instance_config(tmp_path)

    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
