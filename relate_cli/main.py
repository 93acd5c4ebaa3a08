"""`relate-pipeline`: run the graph through Dagster, query the warehouse, serve the emulator, open the UI, or demo it all.

Only `demo` and `ui` (when no key and no URL are configured) start the embedded emulator,
and both say so; `run` talks to whatever RELATE_API_BASE_URL / RELATE_API_KEY name and
never falls back. Every command reads the settings first, so a bad RELATE_* value is one line
on stderr and exit status 2 before anything is written.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path

from relate_cli.runs import CliError, check_api_while_loading, day_range, prepare_dagster_home, run_pipeline
from relate_pipeline.settings import PipelineSettings, SettingsError


def cmd_run(args: argparse.Namespace) -> int:
    settings = PipelineSettings.from_env()
    first, last = day_range(args.start, args.end, settings)
    check_api_while_loading(settings)
    prepare_dagster_home(settings)
    days = (last - first).days + 1
    print(f"Running {first} .. {last} ({days} days, {settings.timezone.key}) into {settings.data_dir}", flush=True)
    started = time.perf_counter()
    failures: list[str] = []
    ok = run_pipeline(first, last, refresh=args.refresh, failures=failures)
    print(f"{'Finished' if ok else 'FAILED'} in {time.perf_counter() - started:.1f} s", flush=True)
    if ok:
        from relate_cli.reports import print_run_summary

        print_run_summary(settings, first, last)
    for failure in failures:
        print(f"relate-pipeline: error: {failure}", file=sys.stderr, flush=True)
    return 0 if ok else 1


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from relate_cli.reports import print_result
    from relate_pipeline.warehouse.build import connect

    settings = PipelineSettings.from_env()
    try:
        with connect(settings) as connection:
            print_result(connection.execute(args.query), args.format)
    except FileNotFoundError as error:
        raise CliError(str(error)) from None
    except duckdb.Error as error:
        raise CliError(f"the query failed: {str(error).splitlines()[0]}") from None
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from relate_pipeline.governance.forget import forget
    from relate_pipeline.governance.suppression import MalformedAddress
    from relate_pipeline.meetings.trackers import load_trackers

    settings = PipelineSettings.from_env()
    try:
        report = forget(settings.data_dir, args.email, load_trackers(settings.trackers_file))
    except MalformedAddress as error:
        raise CliError(str(error)) from None
    print("\n".join(report.lines()), flush=True)
    return 0


DEMO_TRACKERS = Path(__file__).with_name("demo_trackers.yaml")
"""The demo's keyword trackers, used unless RELATE_TRACKERS_FILE names others."""


def cmd_demo(args: argparse.Namespace) -> int:
    from relate_cli.embedded_emulator import start_emulator

    os.environ.setdefault("RELATE_TRACKERS_FILE", str(DEMO_TRACKERS))
    settings = PipelineSettings.from_env()
    print("Starting the embedded Relate API emulator (synthetic workspace; no real API is contacted) ...", flush=True)
    emulator = start_emulator(args.days + 3, settings)
    try:
        print(f"Emulator at {emulator.base_url}", flush=True)
        today = datetime.now(settings.timezone).date()
        args.start = (today - timedelta(days=args.days - 1)).isoformat()
        args.end = today.isoformat()
        args.refresh = False
        return cmd_run(args)
    finally:
        emulator.stop()


def cmd_ui(args: argparse.Namespace) -> int:
    """The UI until Ctrl-C or SIGTERM (a service manager's or a container's stop), then everything it started is stopped."""
    from relate_cli.ui import start_ui, stop_process_group
    from relate_cli.embedded_emulator import start_emulator

    settings = PipelineSettings.from_env()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with contextlib.ExitStack() as started:
        if not settings.names_an_api:
            emulator = start_emulator(30, settings, live_clock=True)
            started.callback(emulator.stop)
            print(
                f"No RELATE_API_KEY or RELATE_API_BASE_URL is set: the UI is wired to the embedded EMULATOR at "
                f"{emulator.base_url} (synthetic data). Set both to use a real workspace.",
                flush=True,
            )
        elif settings.api_key is None:
            raise CliError(f"RELATE_API_KEY is not set; set the key for the API at {settings.api_base_url}")
        prepare_dagster_home(settings)
        ui = start_ui(args.port)
        started.callback(stop_process_group, ui)
        try:
            return ui.wait()
        except KeyboardInterrupt:
            return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C: every ``finally`` and exit callback runs, so nothing started is left behind."""
    sys.exit(0)


def run_emulator(argv: list[str]) -> int:
    from relate_pipeline.emulator.cli import main as emulator_main

    return emulator_main(argv)


def build_parser() -> argparse.ArgumentParser:
    from relate_cli.reports import FORMATS

    parser = argparse.ArgumentParser(prog="relate-pipeline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="materialize every asset for a range of days (inclusive)")
    run.add_argument("--start", required=True, help="first day, YYYY-MM-DD, in RELATE_TIMEZONE")
    run.add_argument("--end", required=True, help="last day, YYYY-MM-DD, inclusive")
    run.add_argument("--refresh", action="store_true", help="download every done recording of the range again")
    run.set_defaults(handler=cmd_run)

    sql = commands.add_parser("sql", help="query the warehouse read-only (the lake may be local or on object storage)")
    sql.add_argument("query", help="one SQL statement, e.g. \"SELECT count(*) FROM meetings\"")
    sql.add_argument("--format", choices=FORMATS, default="table", help="table (default), csv, or json: a list of row objects")
    sql.set_defaults(handler=cmd_sql)

    forget = commands.add_parser(
        "forget", help="remove every meeting and contact of an e-mail address from every store, for good (docs/governance.md)"
    )
    forget.add_argument("--email", action="append", required=True, help="an address to forget; repeat for several")
    forget.set_defaults(handler=cmd_forget)

    demo = commands.add_parser("demo", help="start the emulator, run the last days, print tables and a sample query")
    demo.add_argument("--days", type=int, default=7, help="how many days up to today (default 7)")
    demo.set_defaults(handler=cmd_demo)

    ui = commands.add_parser("ui", help="open the Dagster UI (on the emulator when no key or URL is set)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=cmd_ui)

    commands.add_parser("emulator", help="serve the Relate API emulator (see `relate-pipeline emulator --help`)")
    return parser


def _say_where_files_go() -> None:
    """The settings' and the run's notes (where a remote data dir's local files went) reach stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("relate-pipeline: %(message)s"))
    for name in ("relate_pipeline.settings", "relate_cli.runs"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    warnings.filterwarnings("ignore", message=r".*backfill_policy.*is currently in beta")
    if argv[:1] == ["emulator"]:
        return run_emulator(argv[1:])
    args = build_parser().parse_args(argv)
    _say_where_files_go()
    try:
        return args.handler(args)
    except (CliError, SettingsError) as error:
        print(f"relate-pipeline: error: {error}", file=sys.stderr)
        return 2


def entry_point() -> None:
    """The console script."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
