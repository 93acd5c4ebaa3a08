"""The code location `dg dev` and `dagster` load: settings validated once, resources built from them.

Runs launched from the UI, a schedule or the sensor use the multiprocess executor, each step in a
process of its own, as the Kubernetes and Celery executors run them (docs/deployment.md). Its
step processes fork from a server that has already imported this module (``forkserver`` with
``preload_modules``: by default it preloads only Dagster's executor module), so a step does not
pay the code location's imports again; the CLI executes in process.
"""

from dagster import Definitions, multiprocess_executor

from assets.automation import everything_job, meeting_changes, meetings_job, nightly, reconcile_job, reconcile_requests, weekly_reconcile
from assets.crm import crm_snapshots
from assets.meetings import meetings
from assets.partitions import SETTINGS
from assets.reconcile import history_listing
from assets.resources import resources_from_settings
from assets.warehouse import warehouse

defs = Definitions(
    assets=[meetings, crm_snapshots, warehouse, history_listing],
    jobs=[everything_job, meetings_job, reconcile_job],
    schedules=[nightly, weekly_reconcile],
    sensors=[meeting_changes, reconcile_requests],
    resources=resources_from_settings(SETTINGS),
    executor=multiprocess_executor.configured(
        {"start_method": {"forkserver": {"preload_modules": ["assets.definitions"]}}}
    ),
)
