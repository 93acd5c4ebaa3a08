"""The client against rate limits nobody told it about: 429 share and throughput against R.

For each limit kind (token bucket with burst R, token bucket with burst 1, fixed window of R
requests per whole second) and each R, a fresh AsyncRelateClient (32 in flight, no
RELATE_RATE_LIMIT) fetches recording details from a warmed 50 ms emulator until it has made
`requests_for(R)` successful fetches, with the emulator's rate-limit headers off (the real
API's case) and on. Reported: the share of answers that were 429, and the success rate after
the first 10 s against R. The no-limit row is the same fetch against the latency bound
(32 / 50 ms). The process-wide gate is told to forget what it learned between cases.

The held-out case, kept out of the matrix and repeated `--runs` times (its median is the figure):
275 fetches against an unannounced token bucket of 10 requests/s with a burst of 10.

Run: python bench/rate_limits.py [--quick] [--runs N] [--held-out]   (writes bench/results/rate_limits.md)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from relate_pipeline.client import AsyncRelateClient, ClientSettings
from relate_pipeline.client.ratelimit import gate_for
from relate_pipeline.emulator import EmulatorProcess

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import done_recording_ids, write_result  # noqa: E402

LATENCY_MS = 50
CONCURRENCY = 32
WARM_UP_S = 10.0
KINDS = ("token bucket, burst R", "token bucket, burst 1", "fixed window")
HELD_OUT_FETCHES = 275


@dataclass(frozen=True)
class Case:
    kind: str | None
    rate: float | None
    headers: bool = False

    def faults(self) -> dict:
        if self.kind is None:
            return {"rate_limit": None, "rate_limit_headers": False}
        return {
            "rate_limit": self.rate,
            "rate_limit_kind": "fixed_window" if self.kind == "fixed window" else "token_bucket",
            "rate_limit_burst": 1 if self.kind.endswith("burst 1") else None,
            "rate_limit_headers": self.headers,
        }


@dataclass(frozen=True)
class Row:
    case: Case
    requests: int
    refused: int
    failed: int
    seconds: float
    rate_after_warm_up: float | None
    rate_found: float | None


def requests_for(rate: float | None, quick: bool) -> int:
    if rate is None:
        return 400 if quick else 2000
    return int(max(200, (8 if quick else 25) * rate))


async def _fetch(emulator: EmulatorProcess, ids: list[str], count: int) -> tuple[list[float], int, object]:
    settings = ClientSettings(
        base_url=emulator.base_url, api_key=emulator.api_key, max_concurrency=CONCURRENCY
    )
    done: list[float] = []
    failed = 0
    async with AsyncRelateClient(settings) as client:
        started = time.perf_counter()
        wanted = itertools.islice(itertools.cycle(ids), count)
        async for _, body in client.get_recordings_raw(wanted):
            if isinstance(body, bytes):
                done.append(time.perf_counter() - started)
            else:
                failed += 1
        return done, failed, client.stats


def measure(emulator: EmulatorProcess, ids: list[str], case: Case, count: int) -> Row:
    gate_for(emulator.base_url).forget()
    emulator.admin.set_faults(**case.faults())
    done, failed, stats = asyncio.run(_fetch(emulator, ids, count))
    seconds = done[-1] if done else 0.0
    late = [t for t in done if t >= WARM_UP_S]
    after = len(late) / (seconds - WARM_UP_S) if late and seconds > WARM_UP_S + 1 else None
    row = Row(case, stats.requests, stats.rate_limited, failed, seconds, after, stats.rate_found)
    print(f"{label(case)}: {row.refused}/{row.requests} refused, {seconds:.1f} s", file=sys.stderr, flush=True)
    return row


def label(case: Case) -> str:
    if case.kind is None:
        return "no limit"
    return f"{case.kind}, R = {case.rate:g}, headers {'on' if case.headers else 'off'}"


def cases(quick: bool) -> list[Case]:
    rates = (10.0,) if quick else (5.0, 10.0, 50.0)
    found = [Case(kind, rate, headers) for headers in (False, True) for kind in KINDS for rate in rates]
    return [Case(None, None), *found]


HELD_OUT = Case("token bucket, burst R", 10.0)


def run_all(quick: bool, runs: int, held_out_only: bool = False) -> tuple[list[Row], list[Row], str, str]:
    """The matrix (one run per case, unless `held_out_only`), then the held-out case `runs` times."""
    with EmulatorProcess(days=2, meetings_per_day=60, latency_ms=LATENCY_MS) as emulator:
        ids = done_recording_ids(emulator)
        emulator.admin.set_faults(latency_ms=0)
        asyncio.run(_fetch(emulator, ids, len(ids)))
        emulator.admin.set_faults(latency_ms=LATENCY_MS)
        load_at_start = _load()
        matrix = [] if held_out_only else [measure(emulator, ids, case, requests_for(case.rate, quick)) for case in cases(quick)]
        held_out = [measure(emulator, ids, HELD_OUT, HELD_OUT_FETCHES) for _ in range(runs)]
        return matrix, held_out, load_at_start, _load()


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def _share_of_r(row: Row, target: float) -> tuple[float, str]:
    if row.rate_after_warm_up is None:
        rate = (row.requests - row.refused) / row.seconds if row.seconds else 0.0
        return rate, f"{rate:.1f} (whole run)"
    return row.rate_after_warm_up, f"{row.rate_after_warm_up:.1f}"


def render(rows: list[Row], held_out: list[Row], load: tuple[str, str]) -> str:
    bound = CONCURRENCY / (LATENCY_MS / 1000)
    lines = [
        "## Rate limits: finding a limit nobody announced",
        "",
        f"`bench/rate_limits.py`: a fresh async client ({CONCURRENCY} in flight, no "
        f"`RELATE_RATE_LIMIT`) fetches recording details from a warmed emulator at {LATENCY_MS} ms "
        f"latency; one run per row. 429 share = 429 answers / all answers. After {WARM_UP_S:g} s = "
        "successes per second from 10 s to the last success, against R (no-limit row: against the "
        f"latency bound, {bound:.0f}/s). Load average (1/5/15 min) {load[0]} at start, {load[1]} at end.",
        "",
        "| limit | R (req/s) | headers | requests | 429s | 429 share | run s | req/s after 10 s | of R | rate found (req/s) |",
        "|:---|---:|:---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        case = row.case
        target = case.rate or bound
        rate, shown = _share_of_r(row, target)
        found = "" if row.rate_found is None else f"{row.rate_found:.1f}"
        lines.append(
            f"| {case.kind or 'none'} | {'' if case.rate is None else f'{case.rate:g}'} | "
            f"{'on' if case.headers else 'off'} | {row.requests} | {row.refused} | "
            f"{row.refused / row.requests:.1%} | {row.seconds:.1f} | {shown} | "
            f"{rate / target:.0%} | {found} |"
        )
    if held_out:
        lines += _render_held_out(held_out)
    return "\n".join(lines) + "\n"


def _render_held_out(rows: list[Row]) -> list[str]:
    lines = [
        "",
        f"Held out: {HELD_OUT_FETCHES} fetches, {label(HELD_OUT)}, {len(rows)} runs.",
        "",
        "| run | requests | 429s | 429 share | req/s after 10 s | of R | rate found (req/s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    shares, of_r = [], []
    for number, row in enumerate(rows, 1):
        rate, shown = _share_of_r(row, HELD_OUT.rate)
        shares.append(row.refused / row.requests)
        of_r.append(rate / HELD_OUT.rate)
        found = "" if row.rate_found is None else f"{row.rate_found:.1f}"
        lines.append(
            f"| {number} | {row.requests} | {row.refused} | {shares[-1]:.1%} | {shown} | {of_r[-1]:.0%} | {found} |"
        )
    lines.append(
        f"| median | | {statistics.median(r.refused for r in rows):g} | {statistics.median(shares):.1%} | "
        f"| {statistics.median(of_r):.0%} | |"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="R = 10 only, shorter runs")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the held-out case (default 3)")
    parser.add_argument("--held-out", action="store_true", help="only the held-out case, --runs times")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    rows, held_out, start, end = run_all(args.quick, args.runs, args.held_out)
    text = render(rows, held_out, (start, end))
    write_result("rate_limits", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
