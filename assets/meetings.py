"""Meeting assets: the raw store of each day, and the Parquet tables flattened from it.

One step produces both (a subsettable multi-asset), so a day's tables are written while later
days are still being fetched; either asset can still be materialized alone, and
``meeting_tables`` alone rebuilds the tables from the raw store without calling the API. The
step runs a whole partition range at once (``BackfillPolicy.single_run``), so a year of
backfill is a handful of runs and the recording fan-out stays inside one process.
"""

import asyncio
from collections.abc import Callable
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from assets.metadata import api_metadata, row_count_metadata, tables_definition_metadata, unique_keys_result
from assets.partitions import daily_partitions, partition_days
from assets.resources import Lakehouse, RelateApi
from relate_pipeline.meetings import MeetingDayWriter, RangeExtract, RangeTables, extract_meeting_days
from relate_pipeline.tables import MEETING_TABLES

RAW_MEETINGS = AssetKey("raw_meetings")
MEETING_TABLES_KEY = AssetKey("meeting_tables")


@multi_asset(
    specs=[
        AssetSpec(
            RAW_MEETINGS,
            group_name="relate_raw",
            kinds={"python", "parquet"},
            description=(
                "Raw API responses per day: the listed calendar events and the detail body of every done "
                "recording, zstd-compressed Parquet. Only new or changed recordings are downloaded again."
            ),
        ),
        AssetSpec(
            MEETING_TABLES_KEY,
            deps=[RAW_MEETINGS],
            group_name="meetings",
            kinds={"python", "parquet"},
            description=(
                "The meeting tables of each day, flattened from the raw store: " + ", ".join(MEETING_TABLES)
                + ". One asset for the ten tables, because one pass over a day's raw responses writes them together."
            ),
            metadata=tables_definition_metadata(MEETING_TABLES),
        ),
    ],
    check_specs=[
        AssetCheckSpec("unique_keys", asset=MEETING_TABLES_KEY, description="No two rows of a table share its natural key."),
        AssetCheckSpec(
            "rows_have_recordings",
            asset=MEETING_TABLES_KEY,
            description="Every topic, action item, transcript entry and summary field belongs to a fetched recording.",
        ),
        AssetCheckSpec(
            "done_recordings_fetched",
            asset=MEETING_TABLES_KEY,
            description="Every done recording listed on an event has its detail.",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    can_subset=True,
)
def meetings(context: AssetExecutionContext, relate_api: RelateApi, lakehouse: Lakehouse):
    """Fetch the days into the raw store and flatten each into the meeting tables as soon as it is complete."""
    selected = context.selected_asset_keys
    with MeetingDayWriter(lakehouse.raw, lakehouse.lake) as tables:
        if RAW_MEETINGS in selected:
            flatten = tables.submit if MEETING_TABLES_KEY in selected else None
            yield _extract(context, relate_api, lakehouse, flatten)
        else:
            for day in context.partition_keys:
                tables.submit(day)
        if MEETING_TABLES_KEY in selected:
            yield _tables_result(context, tables.result())


def _extract(
    context: AssetExecutionContext,
    relate_api: RelateApi,
    lakehouse: Lakehouse,
    on_day_extracted: Callable[[str], None] | None,
) -> MaterializeResult:
    first_day, last_day = partition_days(context.partition_keys)

    async def extract() -> tuple[RangeExtract, dict]:
        async with relate_api.async_client() as client:
            report = await extract_meeting_days(
                client,
                first_day,
                last_day,
                ZoneInfo(daily_partitions.timezone),
                lakehouse.raw,
                on_progress=lambda done, total: context.log.info(f"recording details: {done}/{total} fetched"),
                on_day_extracted=on_day_extracted,
            )
            return report, client.stats.as_dict()

    report, stats = asyncio.run(extract())
    context.log.info(
        "\n".join(
            f"{day}: {found.events} events, {found.done_listed} done recordings "
            f"({found.fetched} fetched, {found.reused} unchanged, {found.missing} missing)"
            for day, found in report.days.items()
        )
    )
    return MaterializeResult(
        asset_key=RAW_MEETINGS,
        metadata={
            "days": len(report.days),
            "events": report.total("events"),
            "done_recordings_listed": report.total("done_listed"),
            "recordings_fetched": report.total("fetched"),
            "recordings_reused": report.total("reused"),
            "recordings_missing": report.total("missing"),
            **api_metadata(stats),
        },
    )


def _tables_result(context: AssetExecutionContext, written: RangeTables) -> MaterializeResult:
    context.log.info(", ".join(f"{name}={count}" for name, count in written.rows.items()))
    return MaterializeResult(
        asset_key=MEETING_TABLES_KEY,
        metadata={"days": len(context.partition_keys), **row_count_metadata(written.rows)},
        check_results=[
            unique_keys_result(written.duplicates),
            AssetCheckResult(
                check_name="rows_have_recordings",
                passed=not any(written.orphans.values()),
                metadata={"orphan_rows": MetadataValue.json(dict(written.orphans))},
            ),
            AssetCheckResult(
                check_name="done_recordings_fetched",
                passed=not written.not_fetched,
                severity=AssetCheckSeverity.WARN,
                metadata={
                    "not_fetched": len(written.not_fetched),
                    "recording_ids": MetadataValue.json(written.not_fetched[:100]),
                },
            ),
        ],
    )
