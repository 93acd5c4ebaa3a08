"""Section 2: recordings per second against concurrency, at 100 ms emulator latency.

The measuring is `bench/fetch_throughput.py`'s (its cases, its runs interleaved across cases, its
table); this section only gives it a warmed emulator of the chosen size and a chosen set of
concurrencies, so the one command covers it.
"""

from __future__ import annotations

import fetch_throughput as ft
from harness import Window, done_recording_ids, log, warm_emulator


def measure(concurrencies: tuple[int, ...], days: int, meetings_per_day: int, runs: int) -> tuple[list, int]:
    cases = [ft.Case(c) for c in concurrencies]
    cases.append(ft.Case(ft.RATE_LIMITED[0], rate_limit=ft.RATE_LIMITED[1]))
    window = Window.ending_yesterday(days)
    with warm_emulator(window, meetings_per_day, ft.LATENCY_S * 1000) as emulator:
        ids = done_recording_ids(emulator)
        rows = ft.measure_side_by_side(cases, emulator.base_url, emulator.api_key, ids, runs=runs)
    for row in rows:
        log(f"fetch: c={row.case.concurrency} limit={row.case.rate_limit}: {row.rate:.1f} req/s ({row.ratio:.0%} of bound)")
    return rows, len(ids)


def render(rows: list, recordings: int, runs: int) -> str:
    title = "## 2. Fetch: recordings per second vs concurrency"
    table = ft.render(rows, recordings).replace("# Recording-detail fetch throughput", title)
    return table.replace(f"median of {ft.RUNS} runs", f"median of {runs} runs") + "\n"
