"""Section 10: what a run costs when the workspace did not change, and what a reconcile of a year costs.

- A first `relate-pipeline run` over 90 days × 40 meetings (50 ms emulator latency) into a fresh
  data directory, then the same command again over the same data directory with nothing changed:
  wall time, API requests, and how many lake and raw files the re-run rewrote. The window ends
  yesterday, so the default `RELATE_REFRESH_DAYS=3` re-fetches the details of the last days; the
  re-run is also measured with `RELATE_REFRESH_DAYS=0`.
- A reconcile of 365 unchanged days × 10 meetings: `relate-pipeline run` over the whole year
  again (one listing per day, concurrently), and the weekly reconcile's history listing
  (one paginated listing of the year compared with the raw store), in requests and wall time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import Ours, Window, log, markdown_table, median, warm_emulator
from scale_days import phase_breakdown

from relate_pipeline.meetings.changes import reconcile_changes
from relate_pipeline.client import ClientSettings, RelateClient
from relate_pipeline.lake import Lake
from relate_pipeline.settings import parse_timezone


@dataclass
class Rerun:
    label: str
    seconds: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    details: list[int] = field(default_factory=list)
    files_rewritten: list[int] = field(default_factory=list)
    files: int = 0
    meetings_step: list[float] = field(default_factory=list)


def _file_times(data_dir: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for root in ("raw", "lake") for p in (data_dir / root).rglob("*.parquet")}


def _details(stats: dict) -> int:
    return stats["requests"].get("GET /v1/recordings/{id}", 0)


def _measured_run(ours: Ours, emulator, window: Window, row: Rerun, data_dir: Path | None, env: dict | None = None) -> Path:
    before = _file_times(data_dir) if data_dir else {}
    emulator.admin.reset_stats()
    measured, data_dir = ours.run(emulator, window, extra_env=env, data_dir=data_dir)
    stats = emulator.admin.stats()
    after = _file_times(data_dir)
    row.seconds.append(measured.seconds)
    row.requests.append(stats["total_requests"])
    row.details.append(_details(stats))
    row.files_rewritten.append(sum(1 for path, stamp in after.items() if before.get(path) != stamp))
    row.files = len(after)
    row.meetings_step.append(phase_breakdown(ours.home, measured)[0].get("meetings", 0.0))
    return data_dir


def measure_rerun(days: int, meetings_per_day: int, runs: int, ours: Ours, latency_ms: float = 50.0) -> list[Rerun]:
    window = Window.ending_yesterday(days)
    rows = [Rerun("first run (fresh data directory)"), Rerun("unchanged re-run"), Rerun("unchanged re-run, RELATE_REFRESH_DAYS=0")]
    with warm_emulator(window, meetings_per_day, latency_ms) as emulator:
        for run in range(runs):
            log(f"rerun: {days} days × {meetings_per_day}: run {run + 1} of {runs}")
            data_dir = _measured_run(ours, emulator, window, rows[0], None)
            _measured_run(ours, emulator, window, rows[1], data_dir)
            _measured_run(ours, emulator, window, rows[2], data_dir, {"RELATE_REFRESH_DAYS": "0"})
            ours.discard(data_dir)
    return rows


def _schedule_check(emulator, raw: Lake, window: Window) -> tuple[float, int, int]:
    """The weekly reconcile's comparison, as its `history_listing` run runs it: seconds, requests, changed days."""
    emulator.admin.reset_stats()
    started = time.perf_counter()
    with RelateClient(ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)) as client:
        changed = reconcile_changes(client, raw, parse_timezone("UTC"), window.first, window.last)
    return time.perf_counter() - started, emulator.admin.stats()["total_requests"], len(changed)


def measure_reconcile(days: int, meetings_per_day: int, runs: int, ours: Ours, latency_ms: float = 50.0) -> tuple[list[Rerun], Rerun]:
    window = Window.ending_yesterday(days)
    rows = [Rerun("reconcile run, `relate-pipeline run` over the year"), Rerun("the same, RELATE_REFRESH_DAYS=0")]
    schedule = Rerun("weekly reconcile's `history_listing` (listing only)")
    with warm_emulator(window, meetings_per_day, latency_ms) as emulator:
        log(f"reconcile: loading {days} days × {meetings_per_day}")
        data_dir = ours.run(emulator, window)[1]
        for run in range(runs):
            log(f"reconcile: run {run + 1} of {runs}")
            _measured_run(ours, emulator, window, rows[0], data_dir)
            _measured_run(ours, emulator, window, rows[1], data_dir, {"RELATE_REFRESH_DAYS": "0"})
            seconds, requests, changed = _schedule_check(emulator, Lake(str(data_dir / "raw")), window)
            schedule.seconds.append(seconds)
            schedule.requests.append(requests)
            schedule.details.append(0)
            schedule.files_rewritten.append(changed)
        ours.discard(data_dir)
    return rows, schedule


def _row(row: Rerun, baseline: float | None = None) -> list[object]:
    share = f"{median(row.seconds) / baseline:.0%}" if baseline else ""
    step = f"{median(row.meetings_step):.2f}" if row.meetings_step else ""
    return [row.label, f"{median(row.seconds):.2f}", share, step, int(median(row.requests)), int(median(row.details)),
            f"{int(median(row.files_rewritten))} of {row.files}" if row.files else int(median(row.files_rewritten))]


def render(reruns: list[Rerun], days: int, meetings: int, reconciles: list[Rerun], schedule: Rerun,
           reconcile_days: int, reconcile_meetings: int, runs: int, latency_ms: float) -> str:
    first = median(reruns[0].seconds)
    header = ["run", "wall s", "of the first run", "meetings step s", "API requests", "detail requests",
              "raw + lake files rewritten"]
    return "\n".join([
        "## 10. Unchanged re-runs and reconciles",
        "",
        f"`relate-pipeline run`, emulator latency {latency_ms:g} ms, median of {runs} runs; the window ends yesterday.",
        "",
        f"{days} days × {meetings} meetings/day, then the same command again over the same data directory:",
        "",
        markdown_table(header, [_row(reruns[0], first), *(_row(r, first) for r in reruns[1:])]),
        "",
        f"A reconcile of {reconcile_days} unchanged days × {reconcile_meetings} meetings/day (the last column of the "
        "schedule's row counts the days it would run):",
        "",
        markdown_table(header, [_row(r) for r in reconciles] + [_row(schedule)]),
        "",
    ])
