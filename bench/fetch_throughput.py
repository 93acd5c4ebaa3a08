"""Recording-detail fetch throughput of AsyncRelateClient against a 100 ms-latency emulator.

Each request costs at least the emulator's 100 ms of latency, so with c requests in flight the
best possible rate is c / 0.1 s, and with a client rate limit r it is min(c / 0.1 s, r). The
benchmark fetches every done recording at each concurrency (median of 3 runs, a fresh client per
run so connection set-up is included) and reports the achieved rate against that bound. It also
runs c = 32 and 64 through a single httpx.AsyncClient (shard_size = c) to show whether sharding
the connection pools matters on this machine.

Run: python bench/fetch_throughput.py   (writes bench/results/fetch_throughput.md as well)
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient
from relate_pipeline.emulator import EmulatorProcess

LATENCY_S = 0.100
RUNS = 3
CONCURRENCIES = (1, 2, 4, 8, 16, 32, 64)
RATE_LIMITED = (64, 200.0)
UNSHARDED = (32, 64)
RESULTS = Path(__file__).resolve().parent / "results" / "fetch_throughput.md"


@dataclass(frozen=True)
class Case:
    concurrency: int
    rate_limit: float | None = None
    shard_size: int = 16

    @property
    def bound(self) -> float:
        ceiling = self.concurrency / LATENCY_S
        return min(ceiling, self.rate_limit) if self.rate_limit else ceiling


@dataclass(frozen=True)
class Row:
    case: Case
    shards: int
    seconds: float
    rate: float
    retries: int

    @property
    def ratio(self) -> float:
        return self.rate / self.case.bound


def done_recording_ids(base_url: str, api_key: str) -> list[str]:
    with RelateClient(ClientSettings(base_url=base_url, api_key=api_key)) as client:
        return [
            recording["id"]
            for event in client.list_calendar_events()
            for recording in event["recordings"]
            if recording["status"] == "done"
        ]


async def fetch_all(settings: ClientSettings, ids: list[str]) -> tuple[float, int, int]:
    async with AsyncRelateClient(settings) as client:
        started = time.perf_counter()
        failures = 0
        async for _, body in client.get_recordings_raw(ids):
            failures += not isinstance(body, bytes)
        elapsed = time.perf_counter() - started
        if failures:
            raise RuntimeError(f"{failures} of {len(ids)} recordings failed to fetch")
        return elapsed, client.stats.retries, client.shard_count


def measure(case: Case, base_url: str, api_key: str, ids: list[str]) -> Row:
    settings = ClientSettings(
        base_url=base_url,
        api_key=api_key,
        max_concurrency=case.concurrency,
        shard_size=case.shard_size,
        rate_limit=case.rate_limit,
    )
    runs = [asyncio.run(fetch_all(settings, ids)) for _ in range(RUNS)]
    seconds = statistics.median(run[0] for run in runs)
    return Row(
        case=case,
        shards=runs[0][2],
        seconds=seconds,
        rate=len(ids) / seconds,
        retries=sum(run[1] for run in runs),
    )


def render(rows: list[Row], recordings: int) -> str:
    lines = [
        "# Recording-detail fetch throughput",
        "",
        f"{recordings} done recordings per run, emulator latency {LATENCY_S * 1000:.0f} ms, "
        f"median of {RUNS} runs; bound = min(c / {LATENCY_S:g} s, rate limit).",
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.system()}.",
        "",
        "| concurrency | rate limit (req/s) | AsyncClients | median s | req/s | bound req/s "
        "| ratio | retries |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        limit = f"{row.case.rate_limit:g}" if row.case.rate_limit else "none"
        lines.append(
            f"| {row.case.concurrency} | {limit} | {row.shards} | {row.seconds:.2f} | "
            f"{row.rate:.1f} | {row.case.bound:.0f} | {row.ratio:.0%} | {row.retries} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    cases = [Case(c) for c in CONCURRENCIES]
    cases.append(Case(RATE_LIMITED[0], rate_limit=RATE_LIMITED[1]))
    cases.extend(Case(c, shard_size=c) for c in UNSHARDED)
    with EmulatorProcess(latency_ms=LATENCY_S * 1000, days=7, meetings_per_day=40) as emulator:
        ids = done_recording_ids(emulator.base_url, emulator.api_key)
        rows = []
        for case in cases:
            row = measure(case, emulator.base_url, emulator.api_key, ids)
            print(
                f"c={case.concurrency} limit={case.rate_limit} shards={row.shards}: "
                f"{row.rate:.1f} req/s ({row.ratio:.0%} of bound)",
                file=sys.stderr,
                flush=True,
            )
            rows.append(row)
    table = render(rows, len(ids))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
