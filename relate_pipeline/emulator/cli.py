"""Command line: `python -m relate_pipeline.emulator [flags]` (also behind `relate-pipeline emulator`).

The API key comes from `--api-key`, else the `RELATE_API_KEY` environment variable, else the documented
demo key. It is never printed: the only line written to stdout is the ready line with the base URL.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import socket
import sys
import threading

from aiohttp import web

from .clock import Clock, default_start
from .errors import ApiError
from .faults import RATE_LIMIT_KINDS, FaultInjector, FaultSettings
from .server import create_app
from .store import Store
from .workspace import WorkspaceConfig

DEMO_API_KEY = "relate-emulator-demo-key"
READY_PREFIX = "Relate API emulator listening on "


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _non_negative(kind):
    def parse(text: str):
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text} is negative")
        return value
    parse.__name__ = kind.__name__  # argparse names the expected type after it in its messages
    return parse


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{text} is not a positive number")
        return value
    parse.__name__ = kind.__name__
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relate-emulator", description="Serve a local emulator of the Relate REST API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_non_negative(int), default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default=None, help="defaults to $RELATE_API_KEY, else the demo key")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=_non_negative(int), default=7)
    parser.add_argument("--end-date", type=_date, default=None, help="last day of meetings (UTC date); default today")
    parser.add_argument("--meetings-per-day", type=_non_negative(int), default=40)
    parser.add_argument("--contacts", type=_non_negative(int), default=300)
    parser.add_argument("--organizations", type=_non_negative(int), default=60)
    parser.add_argument("--late-fraction", type=_fraction, default=0.1)
    parser.add_argument("--drift-fraction", type=_fraction, default=0.0,
                        help="share of events and of recordings served in a drifted shape: unknown or missing fields, "
                             "null lists, changed summary keys, empty transcripts, unusual text")
    parser.add_argument("--latency-ms", type=_non_negative(float), default=0.0)
    parser.add_argument("--latency-jitter-ms", type=_non_negative(float), default=0.0)
    parser.add_argument("--spike-rate", type=_fraction, default=0.0)
    parser.add_argument("--spike-ms", type=_non_negative(float), default=0.0)
    parser.add_argument("--rate-limit", type=_positive(float), default=None,
                        help="limit every public request to this many per second (a positive number); "
                             "omit for no limit")
    parser.add_argument("--rate-limit-kind", choices=RATE_LIMIT_KINDS, default="token_bucket",
                        help="token_bucket: refills continuously, holds --rate-limit-burst requests; "
                             "fixed_window: at most --rate-limit requests in each whole second")
    parser.add_argument("--rate-limit-burst", type=_positive(float), default=None,
                        help="token bucket size in requests (a positive number); default max(1, --rate-limit)")
    parser.add_argument("--rate-limit-headers", action="store_true",
                        help="announce the limit on every answer (RateLimit-* and X-RateLimit-* headers)")
    parser.add_argument("--error-rate", type=_fraction, default=0.0)
    parser.add_argument("--drop-rate", type=_fraction, default=0.0)
    parser.add_argument("--max-page-size", type=_non_negative(int), default=100)
    parser.add_argument("--clock-follows-wall-time", action="store_true",
                        help="let the clock run with real time (it otherwise only moves through /_admin/clock)")
    parser.add_argument("--exit-on-stdin-close", action="store_true", help=argparse.SUPPRESS)
    return parser


async def serve(app: web.Application, host: str, port: int, stop: asyncio.Event) -> None:
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    site = web.SockSite(runner, sock)
    await site.start()
    bound = sock.getsockname()[1]
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"{READY_PREFIX}http://{shown_host}:{bound}/v1", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Stops the server when the parent's end of stdin closes, so a crashed test run leaves no server behind."""
    def wait() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        loop.call_soon_threadsafe(stop.set)
    threading.Thread(target=wait, name="stdin-watch", daemon=True).start()


async def _run(args: argparse.Namespace, app: web.Application) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_close:
        _watch_stdin(loop, stop)
    await serve(app, args.host, args.port, stop)


def main(argv: list[str] | None = None) -> int:
    """Serves until SIGTERM/SIGINT; returns the exit status (2 for bad flags, after argparse's message)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    api_key = args.api_key or os.environ.get("RELATE_API_KEY") or DEMO_API_KEY
    try:
        config = WorkspaceConfig(
            seed=args.seed, days=args.days, end_date=args.end_date or dt.datetime.now(dt.timezone.utc).date(),
            meetings_per_day=args.meetings_per_day, contacts=args.contacts, organizations=args.organizations,
            late_fraction=args.late_fraction, drift_fraction=args.drift_fraction,
        )
        faults = FaultSettings().updated({
            "latency_ms": args.latency_ms, "latency_jitter_ms": args.latency_jitter_ms, "spike_rate": args.spike_rate,
            "spike_ms": args.spike_ms, "rate_limit": args.rate_limit, "rate_limit_kind": args.rate_limit_kind,
            "rate_limit_burst": args.rate_limit_burst, "rate_limit_headers": args.rate_limit_headers,
            "error_rate": args.error_rate,
            "drop_rate": args.drop_rate, "max_page_size": args.max_page_size,
        })
    except (ValueError, ApiError) as exc:
        print(f"relate-emulator: {exc}", file=sys.stderr)
        return 2
    clock = Clock(default_start(config.end_date, dt.datetime.now(dt.timezone.utc)), follows_wall_time=args.clock_follows_wall_time)
    app = create_app(Store(config, clock), FaultInjector(faults, config.seed), api_key)
    try:
        asyncio.run(_run(args, app))
    except OSError as exc:
        print(f"relate-emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
