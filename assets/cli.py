"""`relate-pipeline`: run the graph through Dagster, serve the emulator, open the UI, or demo it all.

Only `demo` and `ui` (when no key and no URL are configured) start the embedded emulator,
and both say so; `run` talks to whatever RELATE_API_BASE_URL / RELATE_API_KEY name and
never falls back.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path

from relate_pipeline.settings import PipelineSettings, SettingsError, parse_day

ROOT = Path(__file__).resolve().parent.parent


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _prepare_dagster_home(settings: PipelineSettings) -> None:
    """Runs land in a persistent instance, so `dagster dev` shows what the CLI did."""
    if "DAGSTER_HOME" in os.environ:
        return
    home = Path(settings.data_dir) / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(home)


def _check_api() -> None:
    """Fail before anything is written when the API is unreachable or rejects the key."""
    from relate_pipeline.client import AuthenticationError, ClientSettings, ConfigurationError, RelateClient, RelateError

    try:
        settings = ClientSettings.from_env(max_retries=1)
        now = int(time.time())
        with RelateClient(settings) as client:
            next(iter(client.list_calendar_events(starts_after=now, starts_before=now + 1)), None)
    except ConfigurationError as error:
        raise CliError(str(error)) from None
    except AuthenticationError:
        raise CliError(f"the Relate API at {settings.base_url} rejected RELATE_API_KEY (401); check the key") from None
    except RelateError as error:
        raise CliError(f"the Relate API at {settings.base_url} could not be reached: {error}") from None


def _day_range(start: str, end: str, settings: PipelineSettings) -> tuple[date, date]:
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    today = datetime.now(settings.timezone).date()
    if last < first:
        raise CliError(f"--end {last} is before --start {first}")
    if first < settings.start_date:
        raise CliError(f"--start {first} is before RELATE_START_DATE ({settings.start_date}); set RELATE_START_DATE earlier")
    if last > today:
        raise CliError(f"--end {last} is in the future (today is {today} in {settings.timezone.key})")
    return first, last


def run_pipeline(first: date, last: date, refresh: bool = False) -> bool:
    """Materialize every asset for the days, in one Dagster run recorded in the instance.

    The run reconciles its range: moved and deleted meetings are found and corrected on every
    day they touch. ``refresh`` downloads every done recording of the range again.
    """
    from dagster import DagsterInstance

    from assets.automation import range_tags
    from assets.definitions import defs
    from assets.meetings import REFRESH_TAG

    job = defs.resolve_job_def("relate_pipeline")
    result = job.execute_in_process(
        instance=DagsterInstance.get(),
        tags={**range_tags(first, last), **({REFRESH_TAG: "true"} if refresh else {})},
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        raise_on_error=False,
    )
    return result.success


def print_summary(settings: PipelineSettings) -> None:
    import duckdb

    from relate_pipeline.tables import WAREHOUSE_TABLES

    with duckdb.connect(settings.warehouse_path, read_only=True) as connection:
        print(f"\nWarehouse: {settings.warehouse_path}")
        for name in WAREHOUSE_TABLES:
            rows = connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            print(f"  {name:<24} {rows:>9,} rows")
        print(f"\nSample analyst query:\n{SAMPLE_QUERY}")
        result = connection.execute(SAMPLE_QUERY)
        columns = [c[0] for c in result.description]
        print(" | ".join(columns))
        for row in result.fetchall():
            print(" | ".join("" if v is None else str(v) for v in row))


SAMPLE_QUERY = """SELECT organization_name,
       count(DISTINCT event_id)  AS meetings,
       count(*) FILTER (WHERE match_type = 'contact_email') AS known_contacts,
       min(start_at)::DATE       AS first_meeting
FROM meeting_participants
WHERE NOT is_internal AND organization_name IS NOT NULL
GROUP BY organization_name
ORDER BY meetings DESC, organization_name
LIMIT 5"""


def cmd_run(args: argparse.Namespace) -> int:
    settings = PipelineSettings.from_env()
    first, last = _day_range(args.start, args.end, settings)
    _check_api()
    _prepare_dagster_home(settings)
    print(f"Running {first} .. {last} ({(last - first).days + 1} days, {settings.timezone.key}) into {settings.data_dir}", flush=True)
    started = time.perf_counter()
    ok = run_pipeline(first, last, refresh=getattr(args, "refresh", False))
    print(f"{'Finished' if ok else 'FAILED'} in {time.perf_counter() - started:.1f} s", flush=True)
    if ok:
        print_summary(settings)
    return 0 if ok else 1


def _start_emulator(days: int, *, live_clock: bool = False):
    """The embedded emulator; with ``live_clock`` late recordings finish as real time passes."""
    from relate_pipeline.emulator import EmulatorProcess

    extra = ("--clock-follows-wall-time",) if live_clock else ()
    emulator = EmulatorProcess(end_date=datetime.now().astimezone().date(), days=days, extra_args=extra).start()
    domains = ",".join(emulator.admin.snapshot()["internal_domains"])
    os.environ.update(
        RELATE_API_BASE_URL=emulator.base_url,
        RELATE_API_KEY=emulator.api_key,
        RELATE_INTERNAL_DOMAINS=os.environ.get("RELATE_INTERNAL_DOMAINS", domains),
    )
    return emulator


def cmd_demo(args: argparse.Namespace) -> int:
    settings = PipelineSettings.from_env()
    print("Starting the embedded Relate API emulator (synthetic workspace; no real API is contacted) ...", flush=True)
    emulator = _start_emulator(days=args.days + 3)
    try:
        print(f"Emulator at {emulator.base_url}", flush=True)
        today = datetime.now(settings.timezone).date()
        args.start = (today - timedelta(days=args.days - 1)).isoformat()
        args.end = today.isoformat()
        return cmd_run(args)
    finally:
        emulator.stop()


def cmd_ui(args: argparse.Namespace) -> int:
    settings = PipelineSettings.from_env()
    _prepare_dagster_home(settings)
    emulator = None
    if "RELATE_API_KEY" not in os.environ and "RELATE_API_BASE_URL" not in os.environ:
        emulator = _start_emulator(days=30, live_clock=True)
        print(
            f"No RELATE_API_KEY or RELATE_API_BASE_URL is set: the UI is wired to the embedded EMULATOR at "
            f"{emulator.base_url} (synthetic data). Set both to use a real workspace.",
            flush=True,
        )
    elif "RELATE_API_KEY" not in os.environ:
        raise CliError("RELATE_API_BASE_URL is set but RELATE_API_KEY is not; set the key for that API")
    command = [sys.executable, "-m", "dagster", "dev", "-w", str(ROOT / "workspace.yaml"), "-p", str(args.port)]
    dagster_dev = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return dagster_dev.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        _stop_process_group(dagster_dev)
        if emulator:
            emulator.stop()


def _stop_process_group(process: subprocess.Popen) -> None:
    """`dagster dev` shuts its webserver, daemon and code servers down on SIGINT, not SIGTERM."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_emulator(argv: list[str]) -> int:
    from relate_pipeline.emulator.cli import main as emulator_main

    return emulator_main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relate-pipeline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="materialize every asset for a range of days (inclusive)")
    run.add_argument("--start", required=True, help="first day, YYYY-MM-DD, in RELATE_TIMEZONE")
    run.add_argument("--end", required=True, help="last day, YYYY-MM-DD, inclusive")
    run.add_argument("--refresh", action="store_true", help="download every done recording of the range again")
    run.set_defaults(handler=cmd_run)

    demo = commands.add_parser("demo", help="start the emulator, run the last days, print tables and a sample query")
    demo.add_argument("--days", type=int, default=7, help="how many days up to today (default 7)")
    demo.set_defaults(handler=cmd_demo)

    ui = commands.add_parser("ui", help="open the Dagster UI (on the emulator when no key or URL is set)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=cmd_ui)

    commands.add_parser("emulator", help="serve the Relate API emulator (see `relate-pipeline emulator --help`)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    warnings.filterwarnings("ignore", message=r".*backfill_policy.*is currently in beta")
    if argv[:1] == ["emulator"]:
        return run_emulator(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CliError, SettingsError) as error:
        print(f"relate-pipeline: error: {error}", file=sys.stderr)
        return 2


def entry_point() -> None:
    """The console script: ends the process without the interpreter's teardown.

    With Dagster, pyarrow and DuckDB loaded, freeing every module's objects at exit takes about a
    second. By the time ``main`` returns every file is closed and the emulator stopped, so once
    the output is flushed nothing is left for the teardown to do.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
