"""Section 5: wall time and peak memory of `relate-pipeline run` for 30, 90 and 365 days, its unchanged re-run, and the fixed cost.

Each window is run against its own warmed emulator (same meetings per day and latency). After
each first run the same command runs again over the same data directory with nothing changed
(issue 14: a year's unchanged re-run at most 25 % of its first run). The
fixed cost is measured directly, as a run over one day without meetings, and split into its
phases from the run's own Dagster event log: everything before the run record exists (process
start, imports, API check, instance load), creating the run (Dagster writes one "planned" event
per asset, partition and check), each step, and what follows the run (the summary query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness import Measured, Ours, Window, latest_run_timeline, log, markdown_table, median, warm_emulator

PHASES = (
    "before the run record", "run creation", "crm_snapshots", "meetings", "warehouse", "after the run",
)


@dataclass
class ScaleRow:
    days: int
    meetings_per_day: int
    recordings: int = 0
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    rerun_seconds: list[float] = field(default_factory=list)
    events: int = 0
    phases: list[dict[str, float]] = field(default_factory=list)
    data_dir: Path | None = None


def phase_breakdown(home: Path, measured: Measured) -> tuple[dict[str, float], int]:
    """Seconds per phase of the latest run in the instance, aligned to the measured process's spawn."""
    timeline = latest_run_timeline(home)
    created = timeline.created
    phases = {"before the run record": created - measured.started_at, **timeline.steps}
    phases["run creation"] = (timeline.run_start or created) - created
    phases["after the run"] = measured.started_at + measured.seconds - (timeline.run_end or created)
    return phases, timeline.events


def _run(ours: Ours, window: Window, meetings_per_day: int, runs: int, latency_ms: float, rerun: bool = True) -> ScaleRow:
    row = ScaleRow(window.days, meetings_per_day)
    with warm_emulator(window, meetings_per_day, latency_ms) as emulator:
        for run in range(runs):
            measured, data_dir = ours.run(emulator, window)
            row.seconds.append(measured.seconds)
            row.peak_mb.append(measured.peak_rss_mb)
            row.recordings = ours.row_counts(data_dir)["recordings"]
            phases, row.events = phase_breakdown(ours.home, measured)
            row.phases.append(phases)
            if rerun:
                row.rerun_seconds.append(ours.run(emulator, window, data_dir=data_dir)[0].seconds)
            if row.data_dir is not None:
                ours.discard(row.data_dir)
            row.data_dir = data_dir
            log(
                f"scale: {window.days} days: {measured.seconds:.2f} s, {measured.peak_rss_mb:.0f} MB "
                f"({row.recordings} recordings)" + (f", re-run {row.rerun_seconds[-1]:.2f} s" if rerun else "")
            )
    return row


def measure(
    day_counts: list[int], meetings_per_day: int, runs: int, ours: Ours, latency_ms: float = 50.0
) -> tuple[ScaleRow, list[ScaleRow]]:
    """The largest window's last data directory is kept (``rows[-1].data_dir``) for the warehouse section."""
    log("scale: fixed cost (one day, no meetings)")
    empty = _run(ours, Window.weekday_before_today(), 0, runs, latency_ms, rerun=False)
    ours.discard(empty.data_dir)
    rows = []
    for days in day_counts:
        if rows:
            ours.discard(rows[-1].data_dir)
        rows.append(_run(ours, Window.ending_yesterday(days), meetings_per_day, runs, latency_ms))
    return empty, rows


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least-squares line: intercept, slope and R²."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sxx
    intercept = mean_y - slope * mean_x
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys))
    ss_tot = sum((y - mean_y) ** 2 for y in ys) or 1e-12
    return intercept, slope, 1 - ss_res / ss_tot


def _median_phases(row: ScaleRow) -> dict[str, float]:
    return {name: median([p.get(name, 0.0) for p in row.phases]) for name in PHASES}


def render(empty: ScaleRow, rows: list[ScaleRow], runs: int, latency_ms: float) -> str:
    table = [
        ["fixed cost: 1 day, no meetings", empty.recordings, f"{median(empty.seconds):.2f}", "",
         f"{median(empty.peak_mb):.0f}", "", "", empty.events],
    ] + [
        [
            f"{row.days} day(s) × {row.meetings_per_day}/day",
            row.recordings,
            f"{median(row.seconds):.2f}",
            f"{(median(row.seconds) - median(empty.seconds)) / row.days:.2f}",
            f"{median(row.peak_mb):.0f}",
            f"{median(row.rerun_seconds):.2f}",
            f"{median(row.rerun_seconds) / median(row.seconds):.0%}",
            row.events,
        ]
        for row in rows
    ]
    windows = ", ".join(str(row.days) for row in rows)
    lines = [
        f"## 5. Scale: {windows} days",
        "",
        f"`relate-pipeline run`, emulator latency {latency_ms:g} ms, median of {runs} runs; each first run into a "
        "fresh data directory is followed by the same command over the same directory with nothing changed.",
        "",
        markdown_table(
            ["window", "recordings", "wall s", "s per day above the fixed cost", "peak RSS MB",
             "unchanged re-run s", "re-run ÷ first run", "Dagster events in the run"],
            table,
        ),
        "",
    ]
    if len(rows) >= 2:
        intercept, slope, r2 = _fit([float(r.days) for r in rows], [median(r.seconds) for r in rows])
        lines += [
            f"Linear fit over the windows: wall ≈ {intercept:.2f} s + {slope:.2f} s × days (R² = {r2:.3f}).",
            "",
        ]
    header = ["phase", "fixed cost s", *[f"{r.days} d s" for r in rows]]
    body = [
        [name, f"{_median_phases(empty)[name]:.2f}", *[f"{_median_phases(r)[name]:.2f}" for r in rows]]
        for name in PHASES
    ]
    lines += [
        "Where the time goes (median seconds per phase, from the run's Dagster event log):",
        "",
        markdown_table(header, body),
        "",
    ]
    return "\n".join(lines)
