"""Recording-detail fetch throughput of AsyncRelateClient against a 100 ms-latency emulator.

Each request costs at least the emulator's 100 ms of latency, so with c requests in flight the
best possible rate is c / 0.1 s, and with a client rate limit r it is min(c / 0.1 s, r). The
benchmark fetches every done recording at each concurrency (median of 3 runs, a fresh client per
run so connection set-up is included) and reports the achieved rate against that bound, plus
the client process's CPU time per request — what decides the ceiling at high concurrency.

With N recordings a run needs at least ceil(N / c) rounds of 100 ms, so at high c the last,
partly filled round keeps even a perfect client below c / 0.1 s (e.g. 87 % of it for N = 223 at
c = 64); the "round bound" column states that stricter ceiling next to the nominal one. One
untimed pass runs first so every row meets the emulator's warm response cache.

Rows use the default aiohttp-backed transport; later rows repeat c = 32 and 64 on httpx's own
httpcore transport, unsharded (one AsyncClient, shard_size = c) and sharded (16 per client), to
show why the default is what it is, and with a bare aiohttp session (no httpx, retries, limits
or counters) as the reference for what Python can do on this machine at all.

Run: python bench/fetch_throughput.py   (writes bench/results/fetch_throughput.md as well)
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient
from relate_pipeline.emulator import EmulatorProcess

LATENCY_S = 0.100
RUNS = 3
CONCURRENCIES = (1, 2, 4, 8, 16, 32, 64)
RATE_LIMITED = (64, 200.0)
HTTPCORE = (32, 64)
BARE = "bare aiohttp (reference)"
RESULTS = Path(__file__).resolve().parent / "results" / "fetch_throughput.md"


@dataclass(frozen=True)
class Case:
    concurrency: int
    rate_limit: float | None = None
    transport: str = "aiohttp"
    shard_size: int = 16

    @property
    def bound(self) -> float:
        ceiling = self.concurrency / LATENCY_S
        return min(ceiling, self.rate_limit) if self.rate_limit else ceiling

    def round_bound(self, recordings: int) -> float:
        ceiling = recordings / (math.ceil(recordings / self.concurrency) * LATENCY_S)
        return min(ceiling, self.rate_limit) if self.rate_limit else ceiling


@dataclass(frozen=True)
class Row:
    case: Case
    shards: int
    seconds: float
    rate: float
    cpu_ms_per_request: float
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


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    retries: int
    shards: int


async def fetch_bare(base_url: str, api_key: str, ids: list[str], concurrency: int) -> Run:
    slots = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {api_key}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:

        async def fetch(recording_id: str) -> bytes:
            async with slots, session.get(f"{base_url}/recordings/{recording_id}") as response:
                response.raise_for_status()
                return await response.read()

        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(fetch(recording_id) for recording_id in ids))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        return Run(elapsed, cpu, 0, 1)


async def fetch_all(settings: ClientSettings, ids: list[str]) -> Run:
    async with AsyncRelateClient(settings) as client:
        started, cpu_started = time.perf_counter(), time.process_time()
        failures = 0
        async for _, body in client.get_recordings_raw(ids):
            failures += not isinstance(body, bytes)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if failures:
            raise RuntimeError(f"{failures} of {len(ids)} recordings failed to fetch")
        return Run(elapsed, cpu, client.stats.retries, client.shard_count)


async def one_run(case: Case, base_url: str, api_key: str, ids: list[str]) -> Run:
    if case.transport == BARE:
        return await fetch_bare(base_url, api_key, ids, case.concurrency)
    settings = ClientSettings(
        base_url=base_url,
        api_key=api_key,
        max_concurrency=case.concurrency,
        async_transport=case.transport,
        shard_size=case.shard_size,
        rate_limit=case.rate_limit,
    )
    return await fetch_all(settings, ids)


def measure(case: Case, base_url: str, api_key: str, ids: list[str], runs: int = RUNS) -> Row:
    results = [asyncio.run(one_run(case, base_url, api_key, ids)) for _ in range(runs)]
    seconds = statistics.median(result.seconds for result in results)
    cpu = statistics.median(result.cpu_seconds for result in results)
    return Row(
        case=case,
        shards=results[0].shards,
        seconds=seconds,
        rate=len(ids) / seconds,
        cpu_ms_per_request=cpu / len(ids) * 1000,
        retries=sum(result.retries for result in results),
    )


def render(rows: list[Row], recordings: int) -> str:
    lines = [
        "# Recording-detail fetch throughput",
        "",
        f"{recordings} done recordings per run, emulator latency {LATENCY_S * 1000:.0f} ms, "
        f"median of {RUNS} runs; bound = min(c / {LATENCY_S:g} s, rate limit).",
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.system()}.",
        "",
        "| concurrency | rate limit (req/s) | transport | AsyncClients | median s | req/s "
        "| bound req/s | ratio | round bound req/s | ratio to round bound "
        "| client CPU ms/req | retries |",
        "|---:|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        limit = f"{row.case.rate_limit:g}" if row.case.rate_limit else "none"
        round_bound = row.case.round_bound(recordings)
        lines.append(
            f"| {row.case.concurrency} | {limit} | {row.case.transport} | {row.shards} | "
            f"{row.seconds:.2f} | {row.rate:.1f} | {row.case.bound:.0f} | {row.ratio:.0%} | "
            f"{round_bound:.0f} | {row.rate / round_bound:.0%} | "
            f"{row.cpu_ms_per_request:.2f} | {row.retries} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    cases = [Case(c) for c in CONCURRENCIES]
    cases.append(Case(RATE_LIMITED[0], rate_limit=RATE_LIMITED[1]))
    for concurrency in HTTPCORE:
        cases.append(Case(concurrency, transport="httpcore", shard_size=concurrency))
        cases.append(Case(concurrency, transport="httpcore", shard_size=16))
    cases.extend(Case(concurrency, transport=BARE) for concurrency in HTTPCORE)
    with EmulatorProcess(latency_ms=LATENCY_S * 1000, days=7, meetings_per_day=40) as emulator:
        ids = done_recording_ids(emulator.base_url, emulator.api_key)
        measure(Case(16), emulator.base_url, emulator.api_key, ids, runs=1)
        rows = []
        for case in cases:
            row = measure(case, emulator.base_url, emulator.api_key, ids)
            print(
                f"c={case.concurrency} limit={case.rate_limit} {case.transport} "
                f"shards={row.shards}: "
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
