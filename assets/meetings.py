"""Meeting assets: the raw store of each day, then the flattened Parquet tables.

Both run a whole partition range in one step (``BackfillPolicy.single_run``), so a year of
backfill is a handful of runs and the recording fan-out stays inside one process.
"""

import asyncio
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from assets.metadata import api_metadata, table_metadata, unique_key_result
from assets.partitions import daily_partitions, partition_days
from assets.resources import Lakehouse, RelateApi
from relate_pipeline.meetings import CHILD_TABLES, extract_meeting_days, write_meeting_day
from relate_pipeline.tables import MEETING_TABLES, TABLES


@asset(
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="relate_raw",
    kinds={"python", "parquet"},
    description=(
        "Raw API responses per day: the listed calendar events and the detail body of every done "
        "recording, zstd-compressed Parquet. Only new or changed recordings are downloaded again."
    ),
)
def raw_meetings(context: AssetExecutionContext, relate_api: RelateApi, lakehouse: Lakehouse) -> MaterializeResult:
    first_day, last_day = partition_days(context.partition_keys)
    tz = ZoneInfo(daily_partitions.timezone)

    async def extract():
        async with relate_api.async_client() as client:
            report = await extract_meeting_days(
                client,
                first_day,
                last_day,
                tz,
                lakehouse.raw,
                on_progress=lambda done, total: context.log.info(f"recording details: {done}/{total} fetched"),
            )
            return report, client.stats.as_dict()

    report, stats = asyncio.run(extract())
    for day, found in report.days.items():
        context.log.info(
            f"{day}: {found.events} events, {found.done_listed} done recordings "
            f"({found.fetched} fetched, {found.reused} unchanged, {found.missing} missing)"
        )
    return MaterializeResult(
        metadata={
            "days": len(report.days),
            "events": report.total("events"),
            "done_recordings_listed": report.total("done_listed"),
            "recordings_fetched": report.total("fetched"),
            "recordings_reused": report.total("reused"),
            "recordings_missing": report.total("missing"),
            **api_metadata(stats),
        }
    )


@multi_asset(
    specs=[
        AssetSpec(name, deps=[raw_meetings], description=TABLES[name].description, group_name="meetings", kinds={"parquet"})
        for name in MEETING_TABLES
    ],
    check_specs=[
        *[AssetCheckSpec("unique_key", asset=name, description="No two rows share the table's natural key.") for name in MEETING_TABLES],
        *[AssetCheckSpec("recording_exists", asset=name, description="Every row belongs to a fetched recording.") for name in CHILD_TABLES],
        AssetCheckSpec("done_recordings_fetched", asset="recordings", description="Every done recording listed on an event has its detail."),
    ],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
)
def meeting_tables(context: AssetExecutionContext, lakehouse: Lakehouse):
    """Flatten each day of the raw store into the meeting tables and replace their partitions."""
    lake, raw = lakehouse.lake, lakehouse.raw
    rows = {name: 0 for name in MEETING_TABLES}
    duplicates = {name: 0 for name in MEETING_TABLES}
    orphan_rows = {name: 0 for name in CHILD_TABLES}
    not_fetched: list[str] = []
    for day in context.partition_keys:
        written = write_meeting_day(raw, lake, day)
        for name in MEETING_TABLES:
            rows[name] += written.rows[name]
            duplicates[name] += written.duplicates[name]
        for name in CHILD_TABLES:
            orphan_rows[name] += written.orphans[name]
        not_fetched += written.not_fetched
    context.log.info(", ".join(f"{name}={count}" for name, count in rows.items()))

    for name in MEETING_TABLES:
        checks = [unique_key_result(name, duplicates[name])]
        if name in CHILD_TABLES:
            checks.append(
                AssetCheckResult(
                    check_name="recording_exists",
                    asset_key=name,
                    passed=orphan_rows[name] == 0,
                    metadata={"orphan_rows": orphan_rows[name]},
                )
            )
        if name == "recordings":
            checks.append(
                AssetCheckResult(
                    check_name="done_recordings_fetched",
                    asset_key=name,
                    passed=not not_fetched,
                    severity=AssetCheckSeverity.WARN,
                    metadata={"not_fetched": len(not_fetched), "recording_ids": MetadataValue.json(not_fetched[:100])},
                )
            )
        yield MaterializeResult(asset_key=name, metadata=table_metadata(name, rows[name]), check_results=checks)
