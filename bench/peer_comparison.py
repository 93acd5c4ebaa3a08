"""Section 1: `relate-pipeline run` against dlt's rest_api pipeline, side by side on one emulator.

For each size the two contenders alternate on the same warmed emulator (ours first in odd runs,
dlt first in even ones, so neither always gets the cooler machine), after one unmeasured warm-up
run each that fills the OS file cache and creates our Dagster instance. Row counts of the tables
both produce are compared after every run. The rate-limited case measures only ours: the time
from its first to its last request of the run's work (after the CLI's pre-flight check) against
the bound, requests needed ÷ limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness import PEER_TABLES, Ours, Peer, RequestSpan, Window, log, markdown_table, median, warm_emulator

PREFLIGHT_REQUESTS = 1
"""`relate-pipeline run` checks the key with one request before Dagster starts; the span starts after it."""


@dataclass(frozen=True)
class Size:
    meetings_per_day: int
    days: int = 7
    latency_ms: float = 50.0


@dataclass
class SizeResult:
    size: Size
    ours_s: list[float] = field(default_factory=list)
    ours_mb: list[float] = field(default_factory=list)
    ours_cpu: list[float] = field(default_factory=list)
    peer_s: list[float] = field(default_factory=list)
    peer_mb: list[float] = field(default_factory=list)
    peer_cpu: list[float] = field(default_factory=list)
    ours_counts: dict[str, int] = field(default_factory=dict)
    peer_counts: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    cold_home_s: float = 0.0

    @property
    def speedup(self) -> float:
        return median(self.peer_s) / median(self.ours_s)

    @property
    def cpu_ratio(self) -> float:
        return median(self.peer_cpu) / median(self.ours_cpu)

    @property
    def memory_ratio(self) -> float:
        return median(self.peer_mb) / median(self.ours_mb)


def _compare_counts(result: SizeResult) -> None:
    for ours_name, peer_name in PEER_TABLES.items():
        ours, peer = result.ours_counts.get(ours_name), result.peer_counts.get(peer_name, 0)
        if ours != peer:
            result.mismatches.append(f"{ours_name}: ours {ours} vs dlt {peer_name} {peer}")


def compare(size: Size, runs: int, work: Path, ours: Ours, peer: Peer) -> SizeResult:
    window = Window.ending_yesterday(size.days)
    result = SizeResult(size)
    log(f"peer: {size.days} days x {size.meetings_per_day}/day at {size.latency_ms:g} ms: starting the emulator")
    with warm_emulator(window, size.meetings_per_day, size.latency_ms) as emulator:
        warm_ours, data_dir = ours.run(emulator, window)
        ours.discard(data_dir)
        peer.run(emulator, window)
        cold, data_dir = ours.run(emulator, window, cold_home=True)
        result.cold_home_s = cold.seconds
        ours.discard(data_dir)
        for run in range(runs):
            order = ("ours", "peer") if run % 2 == 0 else ("peer", "ours")
            for contender in order:
                if contender == "ours":
                    measured, data_dir = ours.run(emulator, window)
                    result.ours_s.append(measured.seconds)
                    result.ours_mb.append(measured.peak_rss_mb)
                    result.ours_cpu.append(measured.cpu_seconds)
                    result.ours_counts = ours.row_counts(data_dir)
                    ours.discard(data_dir)
                else:
                    measured, result.peer_counts = peer.run(emulator, window)
                    result.peer_s.append(measured.seconds)
                    result.peer_mb.append(measured.peak_rss_mb)
                    result.peer_cpu.append(measured.cpu_seconds)
                log(
                    f"peer: run {run + 1}/{runs} {contender}: {measured.seconds:.2f} s, "
                    f"{measured.cpu_seconds:.2f} CPU s, {measured.peak_rss_mb:.0f} MB"
                )
            _compare_counts(result)
    return result


@dataclass
class RateResult:
    limit: float
    size: Size
    requests: list[int] = field(default_factory=list)
    span_s: list[float] = field(default_factory=list)
    idle_s: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)

    @property
    def bound_s(self) -> float:
        return median(self.requests) / self.limit

    @property
    def excess(self) -> float:
        return median(self.span_s) / self.bound_s - 1


def rate_limited(size: Size, limit: float, runs: int, ours: Ours) -> RateResult:
    window = Window.ending_yesterday(size.days)
    result = RateResult(limit, size)
    log(f"rate limit: {size.days} x {size.meetings_per_day} at {limit:g} req/s")
    with warm_emulator(window, size.meetings_per_day, size.latency_ms, rate_limit=limit) as emulator:
        for run in range(runs):
            with RequestSpan(emulator, skip=PREFLIGHT_REQUESTS) as span:
                measured, data_dir = ours.run(emulator, window, extra_env={"RELATE_RATE_LIMIT": f"{limit:g}"})
            ours.discard(data_dir)
            rate_limited_answers = emulator.admin.stats()["rate_limited"]
            result.requests.append(span.counted)
            result.span_s.append(span.seconds)
            result.idle_s.append(span.idle_seconds)
            result.wall_s.append(measured.seconds)
            log(
                f"rate limit: run {run + 1}/{runs}: {span.counted} requests in {span.seconds:.2f} s "
                f"(bound {span.counted / limit:.2f} s, {span.idle_seconds:.2f} s of it without requests), "
                f"wall {measured.seconds:.2f} s, 429s {rate_limited_answers}"
            )
    return result


def render(results: list[SizeResult], rate: RateResult | None, runs: int, goals: dict[tuple[int, int], float]) -> str:
    rows = []
    for r in results:
        goal = goals.get((r.size.days, r.size.meetings_per_day))
        rows.append(
            [
                f"{r.size.days} × {r.size.meetings_per_day}",
                r.ours_counts.get("recordings", 0),
                f"{median(r.ours_s):.2f}",
                f"{median(r.peer_s):.2f}",
                f"**{r.speedup:.2f}×**" + (f" (goal {goal:g}×)" if goal else ""),
                f"{median(r.ours_cpu):.1f}",
                f"{median(r.peer_cpu):.1f}",
                f"{r.cpu_ratio:.2f}×",
                f"{median(r.ours_mb):.0f}",
                f"{median(r.peer_mb):.0f}",
                f"{r.memory_ratio:.2f}×",
                "identical" if not r.mismatches else "DIFFER: " + "; ".join(r.mismatches),
            ]
        )
    lines = [
        "## 1. Peer: relate-pipeline run vs dlt rest_api (same emulator, same window)",
        "",
        f"Median of {runs} runs each, alternating; wall = process spawn to exit; CPU = user + system seconds of the "
        "process tree; peak RSS = whole process tree.",
        "",
        markdown_table(
            [
                "days × meetings/day", "recordings", "ours wall s", "dlt wall s", "dlt ÷ ours (wall)",
                "ours CPU s", "dlt CPU s", "dlt ÷ ours (CPU)", "ours MB", "dlt MB", "dlt MB ÷ ours MB (goal ≥ 2×)", "row counts",
            ],
            rows,
            align="lrrrrrrrrrrl",
        ),
        "",
        "Per-run seconds (ours | dlt): "
        + "; ".join(
            f"{r.size.days}×{r.size.meetings_per_day}: "
            + ", ".join(f"{s:.2f}" for s in r.ours_s) + " | " + ", ".join(f"{s:.2f}" for s in r.peer_s)
            for r in results
        ),
        "",
        "First run into a brand-new DAGSTER_HOME (SQLite instance created during the run): "
        + ", ".join(f"{r.size.days}×{r.size.meetings_per_day}: {r.cold_home_s:.2f} s" for r in results),
        "",
        "Row counts compared: " + ", ".join(f"{ours} = dlt `{peer}`" for ours, peer in PEER_TABLES.items()) + ".",
        "",
    ]
    if results:
        counts = results[-1].ours_counts
        lines += ["Row counts of the largest size: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), ""]
    if rate is not None:
        lines += [
            f"### Rate limit: {rate.limit:g} requests/s on the emulator ({rate.size.days} × {rate.size.meetings_per_day}, "
            f"{rate.size.latency_ms:g} ms), RELATE_RATE_LIMIT={rate.limit:g}",
            "",
            markdown_table(
                [
                    "requests", "bound s (requests ÷ limit)", "first→last request s", "over bound", "goal",
                    "pauses without requests s", "span less pauses, over bound", "whole run s",
                ],
                [[
                    int(median(rate.requests)),
                    f"{rate.bound_s:.2f}",
                    f"{median(rate.span_s):.2f}",
                    f"{rate.excess:+.1%}",
                    "≤ +10 %",
                    f"{median(rate.idle_s):.2f}",
                    f"{(median(rate.span_s) - median(rate.idle_s)) / rate.bound_s - 1:+.1%}",
                    f"{median(rate.wall_s):.2f}",
                ]],
            ),
            "",
            "Per run (span s / pauses s): " + ", ".join(f"{s:.2f} / {i:.2f}" for s, i in zip(rate.span_s, rate.idle_s)),
            "Pauses are stretches over 0.25 s in which no request reached the emulator (at 20 requests/s one "
            "arrives every 50 ms): time the run spends between API calls, not waiting on the limit.",
            "",
        ]
    return "\n".join(lines)
