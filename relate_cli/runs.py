"""One `relate-pipeline run`: check the range and the API first, then one Dagster run in the instance.

Everything here fails with a :class:`CliError` before anything is written, so a mistyped day or
a rejected key leaves no data folder and no Dagster home behind.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

from relate_pipeline.settings import PipelineSettings, parse_day

log = logging.getLogger(__name__)


INSTANCE_YAML = """telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""
"""A new home's ``dagster.yaml``: Dagster's own SQLite storage in its default layout, without
telemetry, and one slot in each pool, so one step at a time writes the lake (assets/pools.py)."""

EARLIER_INSTANCE_YAMLS = ("telemetry:\n  enabled: false\n",)
"""What earlier versions wrote for a new home, word for word: replaced, as nothing else wrote it."""

RETIRED_EVENT_LOG = "module: assets.event_log"
"""What a ``dagster.yaml`` written by earlier versions names: an event log this project no longer has.

Those homes keep Dagster's default layout, so their stored runs read as they are once the file
names Dagster's own storage again.
"""


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def prepare_dagster_home(settings: PipelineSettings) -> None:
    """Runs land in a persistent instance: the one ``DAGSTER_HOME`` names, else one beside the data.

    A remote data dir cannot hold Dagster's SQLite files, so its default home is in the working
    directory; a deployment on PostgreSQL sets ``DAGSTER_HOME`` (docs/deployment.md).
    """
    if settings.dagster_home is not None:
        return
    home = Path(settings.local_state_dir) / "dagster_home"
    if settings.remote:
        log.warning("RELATE_DATA_DIR is remote; Dagster's instance is %s (set DAGSTER_HOME to choose)", home)
    write_instance_config(home)
    os.environ["DAGSTER_HOME"] = str(home)


def write_instance_config(home: Path) -> None:
    """Give ``home`` this project's ``dagster.yaml`` unless it has one of its own; one an earlier version wrote is replaced."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if config.exists():
        text = config.read_text()
        if text not in EARLIER_INSTANCE_YAMLS and RETIRED_EVENT_LOG not in text:
            return
    config.write_text(INSTANCE_YAML)


def check_api(settings: PipelineSettings) -> None:
    """Fail before anything is written when the API is unreachable or rejects the key."""
    from relate_pipeline.client import AuthenticationError, RelateClient, RelateError

    client_settings = settings.client_settings(max_retries=1)
    now = int(time.time())
    try:
        with RelateClient(client_settings) as client:
            next(iter(client.list_calendar_events(starts_after=now, starts_before=now + 1)), None)
    except AuthenticationError:
        raise CliError(f"the Relate API at {settings.api_base_url} rejected RELATE_API_KEY (401); check the key") from None
    except RelateError as error:
        raise CliError(f"the Relate API at {settings.api_base_url} could not be reached: {error}") from None


def check_api_while_loading(settings: PipelineSettings) -> None:
    """The pre-flight request waits on the network while Dagster and the code location are imported.

    Importing writes nothing, so a failed check still leaves no data folder and no Dagster home;
    the run that follows finds every module loaded.
    docs/benchmarks.md ("The fixed cost of a run") has the split of a run's fixed cost.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="api-check") as pool:
        checked = pool.submit(check_api, settings)
        import assets.definitions  # noqa: F401

        checked.result()


def day_range(start: str, end: str, settings: PipelineSettings) -> tuple[date, date]:
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    today = datetime.now(settings.timezone).date()
    if last < first:
        raise CliError(f"--end {last} is before --start {first}")
    if first < settings.start_date:
        raise CliError(f"--start {first} is before RELATE_START_DATE ({settings.start_date}); set RELATE_START_DATE earlier")
    if last > today:
        raise CliError(f"--end {last} is in the future (today is {today} in {settings.timezone.key})")
    return first, last


def run_pipeline(first: date, last: date, refresh: bool = False, failures: list[str] | None = None) -> bool:
    """Materialize every asset for the days, in one Dagster run recorded in the instance.

    The run reconciles its range: moved and deleted meetings are found and corrected on every
    day they touch. ``refresh`` downloads every done recording of the range again. Each failed
    step's error is added to ``failures`` in one line (a full disk names the file and the cause).
    """
    from dagster import DagsterInstance

    from assets.automation import range_tags
    from assets.definitions import defs

    instance = DagsterInstance.get()
    end_abandoned_runs(instance)
    job = defs.resolve_job_def("relate_pipeline")
    result = job.execute_in_process(
        instance=instance,
        tags={**range_tags(first, last), CLI_PROCESS_TAG: _this_process()},
        run_config={
            "loggers": {"console": {"config": {"log_level": "INFO"}}},
            "ops": {"meetings": {"config": {"refresh": refresh}}},
        },
        raise_on_error=False,
    )
    if failures is not None:
        failures += [_step_error(event.step_failure_data.error) for event in result.all_events if event.is_step_failure]
    return result.success


def _step_error(error) -> str:
    """The error a step's own code raised, on one line, without Dagster's wrapping of it."""
    while error.cause is not None and "Error occurred while executing" in error.message:
        error = error.cause
    line = error.message.strip().splitlines()[0]
    named, _, message = line.partition(": ")
    return message if error.cls_name and named.endswith(error.cls_name) else line


CLI_PROCESS_TAG = "relate/cli_process"
"""``host:pid`` of the `relate-pipeline run` process executing the run (the CLI executes in process)."""


def end_abandoned_runs(instance) -> None:
    """Mark failed the runs that a `relate-pipeline run` on this machine left in progress, and free their pool slots.

    A process killed mid-run cannot end its run or give back the slot its step holds in the lake's
    pool; left so, every later run would wait for that slot for ever. Dagster's daemon ends only
    runs it launched itself.
    """
    from dagster import DagsterRunStatus, RunsFilter

    for run in instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED])):
        host, _, pid = run.tags.get(CLI_PROCESS_TAG, "").rpartition(":")
        if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(run, "the relate-pipeline process running it ended before the run did")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        log.warning("run %s was left unfinished by a relate-pipeline process that is gone; marked failed", run.run_id)


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
