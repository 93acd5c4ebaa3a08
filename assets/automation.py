"""Jobs, the nightly schedule and the late-arrival sensor."""

from datetime import date, datetime, timedelta

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    define_asset_job,
    schedule,
    sensor,
)

from assets.meetings import meetings
from assets.partitions import SETTINGS, daily_partitions
from assets.resources import RelateApi
from relate_pipeline.changes import ChangeCursor, contiguous_ranges, detect_changes

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

everything_job = define_asset_job(
    "relate_pipeline",
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Every asset: meetings of the selected days, the CRM snapshots and the warehouse.",
)
meetings_job = define_asset_job(
    "relate_meetings",
    selection=AssetSelection.assets(meetings).downstream(),
    partitions_def=daily_partitions,
    description="The meeting days that changed, and the warehouse over them.",
)


def range_tags(first: date, last: date) -> dict[str, str]:
    """Tags that make one run cover a whole partition range (single-run backfill)."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


@schedule(
    job=everything_job,
    cron_schedule="0 2 * * *",
    execution_timezone=SETTINGS.timezone.key,
    default_status=DefaultScheduleStatus.STOPPED,
    description=(
        "Nightly: yesterday plus a trailing window of RELATE_TRAILING_DAYS days re-listed "
        "(unchanged recordings are not downloaded again), the CRM snapshots and the warehouse."
    ),
)
def nightly(context: ScheduleEvaluationContext) -> RunRequest:
    yesterday = context.scheduled_execution_time.astimezone(SETTINGS.timezone).date() - timedelta(days=1)
    first = max(yesterday - timedelta(days=SETTINGS.trailing_days), SETTINGS.start_date)
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
def meeting_changes(context: SensorEvaluationContext, relate_api: RelateApi):
    today = datetime.now(SETTINGS.timezone).date()
    with relate_api.client() as client:
        days, cursor = detect_changes(
            client, ChangeCursor.loads(context.cursor), SETTINGS.timezone, today, SETTINGS.trailing_days, SETTINGS.start_date
        )
    context.update_cursor(cursor.dumps())
    for first, last in contiguous_ranges(days):
        yield RunRequest(run_key=f"changes-{first}-{last}-{cursor.updated_after}", tags=range_tags(first, last))
