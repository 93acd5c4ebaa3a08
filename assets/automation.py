"""Jobs, the nightly and weekly-reconcile schedules, the late-arrival sensor and the reconcile's run requests."""

from datetime import date, datetime, timedelta

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    EventLogEntry,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    asset_sensor,
    define_asset_job,
    schedule,
    sensor,
)

from assets.governance import first_day_loaded
from assets.meetings import meetings
from assets.partitions import daily_partitions, first_day, partition_zone
from assets.reconcile import changed_days, history_listing
from assets.resources import Lakehouse, LookBack, RelateApi
from relate_pipeline.meetings.changes import ChangeCursor, contiguous_ranges, detect_changes, run_key_digest
from relate_pipeline.meetings.raw_store import held_event_days

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

everything_job = define_asset_job(
    "relate_pipeline",
    selection=AssetSelection.all() - AssetSelection.assets(history_listing),
    partitions_def=daily_partitions,
    description="Every asset: meetings of the selected days, the CRM snapshots and the warehouse.",
)
meetings_job = define_asset_job(
    "relate_meetings",
    selection=AssetSelection.assets(meetings).downstream(),
    partitions_def=daily_partitions,
    description="The meeting days that changed, and the warehouse over them.",
)
reconcile_job = define_asset_job(
    "relate_reconcile",
    selection=AssetSelection.assets(history_listing),
    description="Every day since RELATE_START_DATE listed again and compared with the raw store.",
)


def range_tags(first: date, last: date) -> dict[str, str]:
    """Tags that make one run cover a whole partition range (single-run backfill)."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


@schedule(
    job=everything_job,
    cron_schedule="0 2 * * *",
    execution_timezone=daily_partitions.timezone,
    default_status=DefaultScheduleStatus.STOPPED,
    description=(
        "Nightly: yesterday plus a trailing window of RELATE_TRAILING_DAYS days re-listed "
        "(unchanged recordings are not downloaded again), the CRM snapshots and the warehouse."
    ),
)
def nightly(context: ScheduleEvaluationContext, look_back: LookBack) -> RunRequest:
    yesterday = context.scheduled_execution_time.astimezone(partition_zone()).date() - timedelta(days=1)
    today = yesterday + timedelta(days=1)
    first = max(yesterday - timedelta(days=look_back.trailing_days), first_day_loaded(first_day(), look_back.retention_days, today))
    return RunRequest(run_key=f"nightly-{yesterday}", tags=range_tags(first, yesterday))


@sensor(
    job=meetings_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,
    description=(
        "Polls calendar events updated since its cursor and fingerprints the trailing window, "
        "then requests runs for the days whose meetings changed (late recordings, edits)."
    ),
)
def meeting_changes(context: SensorEvaluationContext, relate_api: RelateApi, lakehouse: Lakehouse, look_back: LookBack):
    zone = partition_zone()
    today = datetime.now(zone).date()
    with relate_api.client() as client:
        changed, cursor = detect_changes(
            client,
            ChangeCursor.loads(context.cursor),
            zone,
            today,
            look_back.trailing_days,
            first_day_loaded(first_day(), look_back.retention_days, today),
            held=held_event_days(lakehouse.raw),
        )
    context.update_cursor(cursor.dumps())
    yield from _range_requests("changes", changed)


def _range_requests(prefix: str, changed: dict[date, str]):
    """One run per stretch of consecutive changed days, keyed by the days and their fingerprints.

    Dagster skips a request whose run key it has seen, so the key must change whenever what
    changed does: two late recordings on one day, a tick apart, make two different keys.
    """
    for first, last in contiguous_ranges(changed):
        digest = run_key_digest({day: value for day, value in changed.items() if first <= day <= last})
        yield RunRequest(run_key=f"{prefix}-{first}-{last}-{digest}", tags=range_tags(first, last))


weekly_reconcile = ScheduleDefinition(
    name="weekly_reconcile",
    job=reconcile_job,
    cron_schedule="0 3 * * 0",
    execution_timezone=daily_partitions.timezone,
    default_status=DefaultScheduleStatus.STOPPED,
    description=(
        "Weekly: a run that lists every day since RELATE_START_DATE again (listing requests only, no detail fetch); "
        "reconcile_requests then runs the days whose listing differs from the raw store: meetings moved or deleted "
        "anywhere in history."
    ),
)


@asset_sensor(
    asset_key=history_listing.key,
    job=meetings_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="After each history listing, one run per stretch of consecutive days whose listing changed.",
)
def reconcile_requests(context: SensorEvaluationContext, asset_event: EventLogEntry):
    listed_on, changed = changed_days(asset_event.asset_materialization.metadata)
    yield from _range_requests(f"reconcile-{listed_on}", changed)
