"""Recording-detail fetch throughput of AsyncRelateClient against a 100 ms-latency emulator.

Each request costs at least the emulator's 100 ms of latency, so with c requests in flight the
best possible rate is c / 0.1 s, and with a client rate limit r it is min(c / 0.1 s, r). The
benchmark reports the achieved rate against that bound, and the CPU time per request of both
processes — the client and the emulator share the machine's cores, and at high concurrency their
CPU, not the latency, is what holds the rate below the bound.

How it measures, so that the figure is the client's and not an artefact of the set-up:

* Warm emulator. One untimed pass fetches every recording first: the emulator builds a
  recording's body on its first request (~5 ms of its CPU) and serves cached bytes afterwards
  (~0.5 ms), and a real API's cost does not depend on whether this benchmark asked before.
* Full waves. A run fetches WAVES · c distinct recordings, i.e. 20 full waves of c requests: a
  partly filled last wave (e.g. 223 recordings at c = 64 is 3.5 waves) would cap even a perfect
  client below c / 0.1 s, and 20 waves keep the first wave's connection set-up a small share.
  The workspace is sized so that c = 64 has 1,280 distinct recordings. When a caller passes fewer
  ids than that, the "round bound" column states the stricter ceiling of the waves actually run.
* Fresh client per run: connection set-up is part of every run, as in the pipeline. It is not
  free: the first wave opens c connections one after another on one event loop, and each
  loopback connect() took ~0.9 ms here (the kernel runs the whole handshake, and often the
  emulator's accept, before it returns), so at c = 64 the first wave lasts about two waves.
* Side by side. Runs are interleaved — run 1 of every case, then run 2, ... — so a change in
  machine load falls on all cases alike; each row is the median of RUNS runs. The load average
  at start and end is printed with the table, because this machine is shared.
* CPU and waiting, per process. Besides each process's CPU per request, the table shows the
  share of the run each spent runnable but waiting for a core: when other work shares the cores,
  that wait, more than either process's own CPU, is what stands between the rate and the bound.

Reference rows: a bare aiohttp loop (no retries, gate, counters or error mapping) — the floor of
what one Python process spends per request here.

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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient
from relate_pipeline.emulator import EmulatorProcess

LATENCY_S = 0.100
RUNS = 3
WAVES = 20
CONCURRENCIES = (1, 2, 4, 8, 16, 32, 64)
RATE_LIMITED = (64, 200.0)
WORKSPACE = {"days": 7, "meetings_per_day": 260}
BARE = "bare aiohttp (reference)"
RESULTS = Path(__file__).resolve().parent / "results" / "fetch_throughput.md"


@dataclass(frozen=True)
class Case:
    concurrency: int
    rate_limit: float | None = None
    transport: str = "aiohttp"

    @property
    def bound(self) -> float:
        ceiling = self.concurrency / LATENCY_S
        return min(ceiling, self.rate_limit) if self.rate_limit else ceiling

    def round_bound(self, requests: int) -> float:
        """The bound for `requests` split into waves of c, the last possibly partly filled."""
        ceiling = requests / (math.ceil(requests / self.concurrency) * LATENCY_S)
        return min(ceiling, self.rate_limit) if self.rate_limit else ceiling

    def ids_for(self, ids: Sequence[str]) -> list[str]:
        return list(ids[: WAVES * self.concurrency])


@dataclass(frozen=True)
class Usage:
    """CPU time a process used, and time it was runnable but waiting for a CPU (None if unknown)."""

    cpu_s: float
    wait_s: float | None

    def __sub__(self, earlier: Usage) -> Usage:
        wait = (
            None if self.wait_s is None or earlier.wait_s is None else self.wait_s - earlier.wait_s
        )
        return Usage(self.cpu_s - earlier.cpu_s, wait)


@dataclass(frozen=True)
class Run:
    seconds: float
    client: Usage
    emulator: Usage | None
    retries: int
    pools: int


@dataclass(frozen=True)
class Row:
    case: Case
    requests: int
    pools: int
    seconds: float
    rate: float
    client_cpu_ms: float
    emulator_cpu_ms: float | None
    client_wait: float | None
    emulator_wait: float | None
    retries: int

    @property
    def ratio(self) -> float:
        return self.rate / self.case.bound

    @property
    def round_bound(self) -> float:
        return self.case.round_bound(self.requests)


def done_recording_ids(base_url: str, api_key: str) -> list[str]:
    with RelateClient(ClientSettings(base_url=base_url, api_key=api_key)) as client:
        return [
            recording["id"]
            for event in client.list_calendar_events()
            for recording in event["recordings"]
            if recording["status"] == "done"
        ]


def emulator_process(base_url: str) -> psutil.Process | None:
    """The child process listening on the emulator's port, so its CPU time can be read."""
    port = int(base_url.rsplit(":", 1)[1].split("/", 1)[0])
    for child in psutil.Process().children(recursive=True):
        try:
            if any(
                conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN
                for conn in child.net_connections(kind="tcp")
            ):
                return child
        except psutil.Error:
            continue
    return None


def usage(process: psutil.Process) -> Usage:
    """CPU and run-queue wait so far, summed over the process's threads.

    The wait comes from Linux's /proc/<pid>/task/<tid>/schedstat (nanoseconds runnable but not
    running): on a shared machine it shows how much of a run went to waiting for a core rather
    than to anything the client or the emulator did.
    """
    times = process.cpu_times()
    try:
        wait_ns = 0
        for thread in os.listdir(f"/proc/{process.pid}/task"):
            with open(f"/proc/{process.pid}/task/{thread}/schedstat") as schedstat:
                wait_ns += int(schedstat.read().split()[1])
        wait_s: float | None = wait_ns / 1e9
    except (OSError, ValueError, IndexError):
        wait_s = None
    return Usage(times.user + times.system, wait_s)


async def fetch_bare(base_url: str, api_key: str, ids: list[str], concurrency: int) -> None:
    slots = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {api_key}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:

        async def fetch(recording_id: str) -> bytes:
            async with slots, session.get(f"{base_url}/recordings/{recording_id}") as response:
                response.raise_for_status()
                return await response.read()

        await asyncio.gather(*(fetch(recording_id) for recording_id in ids))


async def fetch_with_client(
    case: Case, base_url: str, api_key: str, ids: list[str]
) -> tuple[int, int]:
    """(retries, connection pools) after fetching every id through the client."""
    settings = ClientSettings(
        base_url=base_url,
        api_key=api_key,
        max_concurrency=case.concurrency,
        rate_limit=case.rate_limit,
    )
    async with AsyncRelateClient(settings) as client:
        failures = 0
        async for _, body in client.get_recordings_raw(ids):
            failures += not isinstance(body, bytes)
        if failures:
            raise RuntimeError(f"{failures} of {len(ids)} recordings failed to fetch")
        return client.stats.retries, 1


def one_run(case: Case, base_url: str, api_key: str, ids: list[str]) -> Run:
    client, emulator = psutil.Process(), emulator_process(base_url)
    client_before = usage(client)
    emulator_before = None if emulator is None else usage(emulator)
    started = time.perf_counter()
    if case.transport == BARE:
        asyncio.run(fetch_bare(base_url, api_key, ids, case.concurrency))
        retries, pools = 0, 1
    else:
        retries, pools = asyncio.run(fetch_with_client(case, base_url, api_key, ids))
    seconds = time.perf_counter() - started
    client_used = usage(client) - client_before
    emulator_used = (
        None if emulator is None or emulator_before is None else usage(emulator) - emulator_before
    )
    return Run(seconds, client_used, emulator_used, retries, pools)


def _median_or_none(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def _row(case: Case, requests: int, runs: list[Run]) -> Row:
    seconds = statistics.median(run.seconds for run in runs)
    emulators = [run.emulator for run in runs]
    emulator_cpu = _median_or_none([None if used is None else used.cpu_s for used in emulators])
    emulator_wait = _median_or_none([None if used is None else used.wait_s for used in emulators])
    client_wait = _median_or_none([run.client.wait_s for run in runs])
    return Row(
        case=case,
        requests=requests,
        pools=runs[0].pools,
        seconds=seconds,
        rate=requests / seconds,
        client_cpu_ms=statistics.median(run.client.cpu_s for run in runs) / requests * 1000,
        emulator_cpu_ms=None if emulator_cpu is None else emulator_cpu / requests * 1000,
        client_wait=None if client_wait is None else client_wait / seconds,
        emulator_wait=None if emulator_wait is None else emulator_wait / seconds,
        retries=sum(run.retries for run in runs),
    )


def measure_side_by_side(
    cases: Sequence[Case], base_url: str, api_key: str, ids: Sequence[str], runs: int = RUNS
) -> list[Row]:
    """Run 1 of every case, then run 2, ...; a row per case from the median of its runs."""
    results: dict[Case, list[Run]] = {case: [] for case in cases}
    for round_number in range(1, runs + 1):
        for case in cases:
            run = one_run(case, base_url, api_key, case.ids_for(ids))
            results[case].append(run)
            requests = len(case.ids_for(ids))
            print(
                f"run {round_number}/{runs} c={case.concurrency} limit={case.rate_limit} "
                f"{case.transport}: {requests / run.seconds:.1f} req/s "
                f"({requests / run.seconds / case.bound:.0%} of bound)",
                file=sys.stderr,
                flush=True,
            )
    return [_row(case, len(case.ids_for(ids)), results[case]) for case in cases]


def measure(case: Case, base_url: str, api_key: str, ids: Sequence[str], runs: int = RUNS) -> Row:
    return measure_side_by_side([case], base_url, api_key, ids, runs)[0]


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def render(rows: list[Row], recordings: int, load: tuple[str, str] | None = None) -> str:
    lines = [
        "# Recording-detail fetch throughput",
        "",
        f"Emulator latency {LATENCY_S * 1000:.0f} ms; bound = min(c / {LATENCY_S:g} s, rate "
        f"limit); median of {RUNS} runs, interleaved across cases. Each run: a fresh client "
        f"fetching {WAVES} full waves of c distinct recordings ({WAVES}·c, or every recording "
        "when there are fewer: see requests per run and the round bound), out of "
        f"{recordings} done recordings that were all fetched once, untimed, beforehand so the "
        "emulator's cache is warm. CPU columns: this process's user+system time, and the "
        "emulator process's, per request. Wait columns: time the process was runnable but "
        "waiting for a core (Linux schedstat), as a share of the run — the machine is shared.",
        f"Python {platform.python_version()}, aiohttp {aiohttp.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.system()}"
        + (f"; load average (1/5/15 min) {load[0]} at start, {load[1]} at end." if load else "."),
        "",
        "| concurrency | rate limit (req/s) | transport | pools | requests per run | median s "
        "| req/s | bound req/s | ratio | round bound req/s | ratio to round bound "
        "| client CPU ms/req | emulator CPU ms/req | client wait | emulator wait | retries |",
        "|---:|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        limit = f"{row.case.rate_limit:g}" if row.case.rate_limit else "none"
        emulator_cpu = "n/a" if row.emulator_cpu_ms is None else f"{row.emulator_cpu_ms:.2f}"
        client_wait = "n/a" if row.client_wait is None else f"{row.client_wait:.0%}"
        emulator_wait = "n/a" if row.emulator_wait is None else f"{row.emulator_wait:.0%}"
        lines.append(
            f"| {row.case.concurrency} | {limit} | {row.case.transport} | {row.pools} | "
            f"{row.requests} | {row.seconds:.2f} | {row.rate:.1f} | {row.case.bound:.0f} | "
            f"{row.ratio:.0%} | {row.round_bound:.0f} | {row.rate / row.round_bound:.0%} | "
            f"{row.client_cpu_ms:.2f} | {emulator_cpu} | {client_wait} | {emulator_wait} | "
            f"{row.retries} |"
        )
    return "\n".join(lines) + "\n"


def warm(emulator: EmulatorProcess, ids: list[str]) -> None:
    """Fetch every recording once with the latency switched off, so the emulator caches it."""
    latency_ms = emulator.admin.faults()["latency_ms"]
    emulator.admin.set_faults(latency_ms=0)
    try:
        one_run(Case(32), emulator.base_url, emulator.api_key, ids)
    finally:
        emulator.admin.set_faults(latency_ms=latency_ms)


def main() -> int:
    cases = [Case(c) for c in CONCURRENCIES]
    cases.append(Case(RATE_LIMITED[0], rate_limit=RATE_LIMITED[1]))
    cases.extend(Case(c, transport=BARE) for c in (32, 64))
    with EmulatorProcess(latency_ms=LATENCY_S * 1000, **WORKSPACE) as emulator:
        ids = done_recording_ids(emulator.base_url, emulator.api_key)
        if len(ids) < WAVES * max(CONCURRENCIES):
            raise RuntimeError(
                f"the workspace has {len(ids)} done recordings; {WAVES} waves at "
                f"c = {max(CONCURRENCIES)} need {WAVES * max(CONCURRENCIES)}"
            )
        warm(emulator, ids)
        load_at_start = _load()
        rows = measure_side_by_side(cases, emulator.base_url, emulator.api_key, ids)
        load_at_end = _load()
    table = render(rows, len(ids), (load_at_start, load_at_end))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
