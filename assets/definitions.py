"""The code location `dagster dev -w workspace.yaml` loads."""

from dagster import Definitions

from assets.automation import everything_job, meeting_changes, meetings_job, nightly, weekly_reconcile
from assets.crm import crm_snapshots
from assets.meetings import meetings
from assets.resources import resources_from_env
from assets.warehouse import warehouse

defs = Definitions(
    assets=[meetings, crm_snapshots, warehouse],
    jobs=[everything_job, meetings_job],
    schedules=[nightly, weekly_reconcile],
    sensors=[meeting_changes],
    resources=resources_from_env(),
)
