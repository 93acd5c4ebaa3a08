"""Meeting assets: the raw store of each day, and the Parquet tables flattened from it.

One step produces both (a subsettable multi-asset), so a day's tables are written while later
days are still being fetched; either asset can still be materialized alone, and
``meeting_tables`` alone rebuilds the tables from the raw store without calling the API. The
step runs a whole partition range at once (``BackfillPolicy.single_run``), so a year of
backfill is one run and the recording fan-out stays inside one process.

A run rewrites only the days that changed, and also corrects days outside its range when a
meeting moved to or from them; each such day is recorded as a materialization of its own
partition, so the asset's history shows every day a run touched.
"""

import asyncio
from collections.abc import Callable, Mapping

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetSpec,
    BackfillPolicy,
    Config,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from assets.governance import GovernedRun, govern_run
from assets.indexes import log_index_refresh
from assets.metadata import api_metadata, row_count_metadata, tables_definition_metadata, unique_keys_result
from assets.partitions import daily_partitions, partition_days, partition_zone
from assets.pools import LAKE_POOL
from assets.resources import Lakehouse, LookBack, RelateApi
from relate_pipeline.day_index import refresh_raw_index
from relate_pipeline.meetings.extraction import RangeExtract, RefetchPolicy, extract_meeting_days
from relate_pipeline.meetings.day_tables import MeetingDayWriter, RangeTables, days_missing_tables, tables_current
from relate_pipeline.meetings.tracker_days import apply_trackers
from relate_pipeline.meetings.trackers import Trackers, load_trackers
from relate_pipeline.tables import MEETING_TABLES

RAW_MEETINGS_KEY = AssetKey("raw_meetings")
MEETING_TABLES_KEY = AssetKey("meeting_tables")
REFRESH_TAG = "relate/refresh"
"""A run tagged ``relate/refresh=true`` asks for ``refresh`` without editing its config (``refresh_requested``)."""


class MeetingsConfig(Config):
    refresh: bool = False
    """Download every done recording of the run's days again, not only those that may have changed."""


def refresh_requested(config: MeetingsConfig, run_tags: Mapping[str, str]) -> bool:
    """The run config's ``refresh``, which a ``relate/refresh=true`` tag sets too: the one place the tag is read.

    The tag is how a run launched from the UI's partition dialog or a backfill asks for a refresh,
    where the op config cannot be edited.
    """
    return config.refresh or run_tags.get(REFRESH_TAG, "").lower() in ("true", "1", "yes")


@multi_asset(
    specs=[
        AssetSpec(
            RAW_MEETINGS_KEY,
            group_name="relate_raw",
            kinds={"python", "parquet"},
            description=(
                "Raw API responses per day: the listed calendar events and the detail body of every done "
                "recording, zstd-compressed Parquet. Only recordings that may have changed are downloaded again, and "
                "a day whose listing and details did not change is not rewritten."
            ),
        ),
        AssetSpec(
            MEETING_TABLES_KEY,
            deps=[RAW_MEETINGS_KEY],
            group_name="meetings",
            kinds={"python", "parquet"},
            description=(
                "The meeting tables of each day, flattened from the raw store: " + ", ".join(MEETING_TABLES)
                + ". One asset for these tables, because one pass over a day's raw responses writes them together."
            ),
            metadata=tables_definition_metadata(MEETING_TABLES),
        ),
    ],
    check_specs=[
        AssetCheckSpec(
            "unique_keys", asset=MEETING_TABLES_KEY, blocking=True, description="No two rows of a table share its natural key."
        ),
        AssetCheckSpec(
            "rows_have_recordings",
            asset=MEETING_TABLES_KEY,
            blocking=True,
            description="Every topic, action item, transcript entry and summary field belongs to a fetched recording.",
        ),
        AssetCheckSpec(
            "done_recordings_fetched",
            asset=MEETING_TABLES_KEY,
            description="Every done recording listed on an event has its detail, finished (done, with summary and transcript).",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    can_subset=True,
    pool=LAKE_POOL,
)
def meetings(
    context: AssetExecutionContext, config: MeetingsConfig, relate_api: RelateApi, lakehouse: Lakehouse, look_back: LookBack
):
    """Fetch the days into the raw store and flatten each into the meeting tables as soon as it is complete."""
    selected = context.selected_asset_keys
    raw, lake = lakehouse.raw, lakehouse.lake
    trackers = load_trackers(lakehouse.trackers_file)
    for store in (raw, lake):
        store.remove_abandoned_temps(context.partition_keys)
    governed = govern_run(context, look_back.retention_days, lakehouse)
    report: RangeExtract | None = None
    incomplete = days_missing_tables(raw, lake) if MEETING_TABLES_KEY in selected else []
    with MeetingDayWriter(raw, lake, trackers=trackers, policy=governed.policy) as tables:
        if RAW_MEETINGS_KEY in selected:
            flatten = tables.submit if MEETING_TABLES_KEY in selected else None
            policy = RefetchPolicy(refresh=refresh_requested(config, context.run.tags), refresh_days=look_back.refresh_days)
            log_index_refresh(context, "raw store", refresh_raw_index(raw))
            report = _extract(context, policy, relate_api, lakehouse, flatten, governed)
            refresh_raw_index(raw)
            yield from _elsewhere(RAW_MEETINGS_KEY, report)
            yield _raw_result(report, governed)
            if MEETING_TABLES_KEY in selected:
                for day in report.days:
                    if not report.days[day].rewritten and not tables_current(raw, lake, day):
                        tables.submit(day)
        else:
            for day in governed.kept_days(context.partition_keys):
                tables.submit(day)
        if MEETING_TABLES_KEY in selected:
            yield from _complete(context, tables, incomplete)
            written = tables.result()
            recomputed = apply_trackers(lake, trackers, already=tables.submitted)
            if report is not None:
                yield from _elsewhere(MEETING_TABLES_KEY, report)
            yield _tables_result(context, written, governed, trackers, recomputed)


def _extract(
    context: AssetExecutionContext,
    policy: RefetchPolicy,
    relate_api: RelateApi,
    lakehouse: Lakehouse,
    on_day_extracted: Callable[[str], None] | None,
    governed: GovernedRun,
) -> RangeExtract:
    kept = governed.kept_range(context, *partition_days(context.partition_keys))
    if kept is None:
        return RangeExtract()
    first_day, last_day = kept

    async def extract() -> tuple[RangeExtract, dict]:
        async with relate_api.async_client() as client:
            report = await extract_meeting_days(
                client,
                first_day,
                last_day,
                partition_zone(),
                lakehouse.raw,
                policy,
                lakehouse.lake,
                on_progress=lambda done, total: context.log.info(f"recording details: {done}/{total} fetched"),
                on_day_extracted=on_day_extracted,
                data_policy=governed.policy,
            )
            return report, client.stats.as_dict()

    report, stats = asyncio.run(extract())
    report.api_stats = stats
    context.log.info(
        "\n".join(
            f"{day}: {found.events} events, {found.done_listed} done recordings "
            f"({found.fetched} fetched, {found.reused} unchanged, {found.missing} missing), "
            f"{found.moved_in} moved in, {found.moved_out} moved out, {found.deleted} deleted: "
            + ("rewritten" if found.rewritten else "unchanged")
            + ("" if found.in_range else " (outside the run's range)")
            for day, found in report.days.items()
        )
    )
    return report


def _elsewhere(key: AssetKey, report: RangeExtract):
    """A materialization of each day outside the run's range that the run rewrote."""
    for day in report.corrected_elsewhere:
        if daily_partitions.has_partition_key(day):
            yield AssetMaterialization(asset_key=key, partition=day, metadata={"corrected_by_moves_or_deletions": True})


def _complete(context: AssetExecutionContext, tables: MeetingDayWriter, incomplete: list[str]):
    """Flatten again the days written before some meeting table existed, which no run would rewrite
    otherwise; each one outside the run's range is recorded as a materialization of its partition."""
    missing = [day for day in incomplete if day not in tables.submitted]
    if missing:
        context.log.info(f"{len(missing)} days lack tables added since they were flattened; flattening them again from the raw store")
    for day in missing:
        tables.submit(day)
        if daily_partitions.has_partition_key(day):
            yield AssetMaterialization(asset_key=MEETING_TABLES_KEY, partition=day, metadata={"flattened_for_new_tables": True})


def _raw_result(report: RangeExtract, governed: GovernedRun) -> MaterializeResult:
    return MaterializeResult(
        asset_key=RAW_MEETINGS_KEY,
        metadata={
            "days": len(report.rewritten) + len(report.unchanged),
            "days_rewritten": MetadataValue.json(report.rewritten),
            "days_unchanged": len(report.unchanged),
            "days_corrected_elsewhere": MetadataValue.json(report.corrected_elsewhere),
            "events": report.total("events"),
            "events_moved": report.total("moved_in"),
            "events_deleted": report.total("deleted"),
            "done_recordings_listed": report.total("done_listed"),
            "recordings_fetched": report.total("fetched"),
            "recordings_reused": report.total("reused"),
            "recordings_missing": report.total("missing"),
            "events_suppressed": report.suppressed_events,
            **api_metadata(report.api_stats),
            **governed.metadata(),
        },
    )


def _trackers_metadata(trackers: Trackers, recomputed: list[str]) -> dict:
    """The tracker definitions the days' mentions were computed with (names and phrases, no transcript text)."""
    rows = [f"| {tracker.name} | " + ", ".join(f"`{phrase.text}`" for phrase in tracker.phrases) + " |" for tracker in trackers.trackers]
    table = "\n".join(["| tracker | phrases |", "| --- | --- |", *rows]) if rows else "No trackers (RELATE_TRACKERS_FILE is not set)."
    return {
        "trackers": MetadataValue.md(table),
        "trackers_fingerprint": MetadataValue.text(trackers.fingerprint),
        "tracker_days_recomputed": len(recomputed),
    }


def _tables_result(
    context: AssetExecutionContext, written: RangeTables, governed: GovernedRun, trackers: Trackers, recomputed: list[str]
) -> MaterializeResult:
    context.log.info(f"{written.days} days flattened: " + ", ".join(f"{name}={count}" for name, count in written.rows.items()))
    if recomputed:
        context.log.info(f"the trackers changed: mentions of {len(recomputed)} other days computed again from their stored transcripts")
    unfinished = sorted(set(written.not_fetched) | set(written.unfinished))
    return MaterializeResult(
        asset_key=MEETING_TABLES_KEY,
        metadata={
            "days": len(context.partition_keys),
            "days_flattened": written.days,
            **row_count_metadata(written.rows),
            **governed.metadata(),
            **_trackers_metadata(trackers, recomputed),
        },
        check_results=[
            unique_keys_result(written.duplicates),
            AssetCheckResult(
                check_name="rows_have_recordings",
                passed=not any(written.orphans.values()),
                metadata={"orphan_rows": MetadataValue.json(dict(written.orphans))},
            ),
            AssetCheckResult(
                check_name="done_recordings_fetched",
                passed=not unfinished,
                severity=AssetCheckSeverity.WARN,
                metadata={
                    "not_fetched": len(written.not_fetched),
                    "unfinished": len(written.unfinished),
                    "recording_ids": MetadataValue.json(unfinished[:100]),
                },
            ),
        ],
    )
