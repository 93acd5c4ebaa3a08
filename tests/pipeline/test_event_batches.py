"""A ranged run's events stored a batch at a time: the same records as Dagster's own event-by-event storage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetKey,
    BackfillPolicy,
    DagsterInstance,
    DailyPartitionsDefinition,
    MaterializeResult,
    asset,
    asset_check,
    materialize,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from assets.event_log import EVENT_BATCH_SIZE, EVENT_BATCH_SIZE_VARIABLE, KeptOpenSqliteEventLogStorage, instance_yaml

DAYS = DailyPartitionsDefinition(start_date="2026-05-01", end_date="2026-05-09")
RANGE = {ASSET_PARTITION_RANGE_START_TAG: "2026-05-02", ASSET_PARTITION_RANGE_END_TAG: "2026-05-06"}
KEYS = (AssetKey("listed"), AssetKey("flattened"))
CHECK = AssetCheckKey(AssetKey("flattened"), "rows_present")


@asset(partitions_def=DAYS, backfill_policy=BackfillPolicy.single_run())
def listed(context) -> MaterializeResult:
    return MaterializeResult(metadata={"days": len(context.partition_keys)})


@asset(partitions_def=DAYS, backfill_policy=BackfillPolicy.single_run(), deps=[listed])
def flattened(context) -> MaterializeResult:
    return MaterializeResult(metadata={"first": context.partition_keys[0]})


@asset_check(asset=flattened)
def rows_present() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def recorded(home: Path) -> dict[str, object]:
    """What a ranged run left in ``home``'s instance, as the UI and the sensors read it."""
    with DagsterInstance.from_config(str(home)) as instance:
        result = materialize([listed, flattened, rows_present], instance=instance, tags=RANGE)
        assert result.success
        run_id = result.run_id
        storage = instance.event_log_storage
        return {
            "events": [entry.dagster_event.event_type_value for entry in instance.all_logs(run_id) if entry.dagster_event],
            "materialized": {key: sorted(instance.get_materialized_partitions(key)) for key in KEYS},
            "materializations": {
                key: sorted(record.partition_key for record in instance.fetch_materializations(key, limit=100).records)
                for key in KEYS
            },
            "planned": {
                key: sorted(
                    record.partition_key
                    for record in instance.fetch_planned_materializations(key, limit=100).records
                )
                for key in KEYS
            },
            "latest": {key: instance.get_latest_materialization_event(key).dagster_event.partition for key in KEYS},
            "tag names": {key: sorted(sorted(tags) for tags in storage.get_event_tags_for_asset(key)) for key in KEYS},
            "asset rows": [
                (entry.last_run_id == run_id, entry.last_materialization_record.partition_key)
                for entry in (record.asset_entry for record in storage.get_asset_records(list(KEYS)))
            ],
            "check": storage.get_latest_asset_check_execution_by_key([CHECK])[CHECK].status,
            "class": type(storage).__name__,
        }


def test_a_ranged_runs_batched_events_record_what_dagsters_own_storage_records(tmp_path, monkeypatch):
    monkeypatch.delenv(EVENT_BATCH_SIZE_VARIABLE, raising=False)
    ours_home, dagsters_home = tmp_path / "ours", tmp_path / "dagsters"
    for home in (ours_home, dagsters_home):
        home.mkdir()
    (ours_home / "dagster.yaml").write_text(instance_yaml(ours_home))
    (dagsters_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    ours = recorded(ours_home)
    dagsters = recorded(dagsters_home)

    assert (ours.pop("class"), dagsters.pop("class")) == ("KeptOpenSqliteEventLogStorage", "SqliteEventLogStorage")
    assert ours["materialized"][KEYS[1]] == ["2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06"]
    assert ours == dagsters


@pytest.mark.parametrize(("environment", "after"), [(None, str(EVENT_BATCH_SIZE)), ("0", "0")])
def test_creating_the_storage_turns_dagsters_event_batches_on_unless_the_environment_chose(
    tmp_path, monkeypatch, environment, after
):
    if environment is None:
        monkeypatch.delenv(EVENT_BATCH_SIZE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(EVENT_BATCH_SIZE_VARIABLE, environment)
    KeptOpenSqliteEventLogStorage(str(tmp_path)).dispose()
    assert os.environ[EVENT_BATCH_SIZE_VARIABLE] == after
