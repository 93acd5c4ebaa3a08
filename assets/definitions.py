"""The code location `dg dev` and `dagster` load: settings validated once, resources built from them."""

from dagster import Definitions

from assets.automation import everything_job, meeting_changes, meetings_job, nightly, weekly_reconcile
from assets.crm import crm_snapshots
from assets.meetings import meetings
from assets.partitions import SETTINGS
from assets.resources import resources_from_settings
from assets.startup import loaded
from assets.warehouse import warehouse

defs = Definitions(
    assets=[meetings, crm_snapshots, warehouse],
    jobs=[everything_job, meetings_job],
    schedules=[nightly, weekly_reconcile],
    sensors=[meeting_changes],
    resources=resources_from_settings(SETTINGS),
)

loaded()
