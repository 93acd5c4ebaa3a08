"""The weekly reconcile's listing of history, done inside a run.

Listing every day since the first one loaded can take minutes against a rate-limited API
(Retry-After waits alone may reach 120 s), longer than a schedule tick may take (60 s). So the
``weekly_reconcile`` schedule only launches a run of this asset, and the ``reconcile_requests``
sensor turns the days it found changed into meeting runs.
"""

from datetime import date, datetime

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.governance import first_day_loaded
from assets.partitions import first_day, partition_zone
from assets.resources import Lakehouse, LookBack, RelateApi
from relate_pipeline.governance.policy import DataPolicy
from relate_pipeline.governance.suppression import SuppressionStore
from relate_pipeline.meetings.changes import reconcile_changes

LISTED_ON = "listed_on"
DAYS_CHANGED = "days_changed"


@asset(
    group_name="reconcile",
    kinds={"python"},
    description=(
        "Every day since RELATE_START_DATE listed again (listing requests only, no detail fetch), compared with "
        "the raw store: the days whose listing differs, with their new fingerprints, as metadata."
    ),
)
def history_listing(
    context: AssetExecutionContext, relate_api: RelateApi, lakehouse: Lakehouse, look_back: LookBack
) -> MaterializeResult:
    zone = partition_zone()
    today = datetime.now(zone).date()
    with relate_api.client() as client:
        first = first_day_loaded(first_day(), look_back.retention_days, today)
        policy = DataPolicy(suppression=SuppressionStore(lakehouse.data_dir).load())
        changed = reconcile_changes(client, lakehouse.raw, zone, first, today, policy)
    context.log.info(f"{len(changed)} days whose listing changed: {', '.join(sorted(map(str, changed)))}")
    return MaterializeResult(
        metadata={
            LISTED_ON: MetadataValue.text(today.isoformat()),
            DAYS_CHANGED: MetadataValue.json({day.isoformat(): value for day, value in sorted(changed.items())}),
        }
    )


def changed_days(metadata: dict) -> tuple[str, dict[date, str]]:
    """What a materialization of ``history_listing`` found: the day it listed on, and the changed days."""
    found = metadata[DAYS_CHANGED].value
    return metadata[LISTED_ON].value, {date.fromisoformat(day): value for day, value in found.items()}
