"""Section "history": what a night costs after 30, 365 and 1,095 days of history, and a year's backfill.

A history is prepared honestly but once: one ranged `relate-pipeline run` over every day of it
but the last, against an emulator serving the history and one more day. That run is itself the
backfill whose time and peak RSS are reported. Its data directory is kept under
bench/results/history-cache/ (keyed by size, meetings per day, seed and last day) and reused by
later invocations; each night then runs on a hard-linked copy of it (`cp -al`), which is safe
because the pipeline never writes a file in place: every file is replaced by renaming a new one
over it, which leaves the cached copy's inode alone.

The night is what the `nightly` schedule runs: the last four days, three already loaded and one
new, against the same emulator. The emulator is warmed only for those four days, the only ones
whose details a night fetches. Every run is measured from outside (wall time, peak RSS of the
whole process tree) as in every other section.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from harness import (
    RESULTS_DIR,
    Measured,
    Ours,
    Window,
    fetch_bodies,
    log,
    markdown_table,
    median,
)
from relate_pipeline.client import ClientSettings, RelateClient
from relate_pipeline.emulator import EmulatorProcess
from relate_pipeline.emulator.content import INTERNAL_DOMAINS

CACHE_DIR = RESULTS_DIR / "history-cache"
SEED = 7
NIGHT_DAYS = 4
ADMIN_TIMEOUT_S = 600.0
RUN_ENV = {"RELATE_INTERNAL_DOMAINS": ",".join(INTERNAL_DOMAINS), "RELATE_START_DATE": "2023-01-01"}
"""The seeded workspace's own domains, given directly (asking a years-long emulator for its snapshot
takes minutes), and a first partition before the longest history, the same for every size."""


@dataclass
class Backfill:
    days: int
    seconds: float
    peak_rss_mb: float
    measured_at: str


@dataclass
class HistoryRow:
    days: int
    backfill: Backfill
    nights: list[Measured] = field(default_factory=list)


def _window(history_days: int) -> Window:
    """The emulator's days: the history and the night's new day."""
    return Window.ending_yesterday(history_days + 1)


@contextmanager
def _emulator(days: int, last: date, meetings_per_day: int, latency_ms: float) -> Iterator[EmulatorProcess]:
    """The emulator's admin waits long enough for a snapshot of years of meetings (the harness reads its domains)."""
    with EmulatorProcess(
        seed=SEED, days=days, end_date=last, meetings_per_day=meetings_per_day, latency_ms=latency_ms
    ) as emulator:
        emulator.admin.timeout = ADMIN_TIMEOUT_S
        yield emulator


def _history_emulator(history_days: int, meetings_per_day: int, latency_ms: float):
    window = _window(history_days)
    return _emulator(window.days, window.last, meetings_per_day, latency_ms)


def _warm_days(emulator: EmulatorProcess, window: Window) -> int:
    """Fetch the window's done recordings once without latency, so the emulator has their bytes cached."""
    faults = emulator.admin.faults()
    emulator.admin.set_faults(latency_ms=0, rate_limit=None)
    try:
        settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)
        starts_after, starts_before = window.unix_bounds
        with RelateClient(settings) as client:
            ids = [
                recording["id"]
                for event in client.list_calendar_events(starts_after=starts_after, starts_before=starts_before)
                for recording in event.get("recordings") or []
                if recording.get("status") == "done"
            ]
        return len(fetch_bodies(emulator, ids))
    finally:
        emulator.admin.set_faults(latency_ms=faults["latency_ms"], rate_limit=faults["rate_limit"])


def _cache(history_days: int, meetings_per_day: int) -> Path:
    last = _window(history_days).last
    return CACHE_DIR / f"{history_days}d-{meetings_per_day}m-seed{SEED}-until-{last.isoformat()}"


def prepared_history(ours: Ours, history_days: int, meetings_per_day: int, latency_ms: float) -> tuple[Path, Backfill]:
    """The cached data directory holding ``history_days`` days, prepared by one ranged run when absent."""
    cache = _cache(history_days, meetings_per_day)
    meta = cache / "backfill.json"
    if meta.is_file():
        return cache / "data", Backfill(**json.loads(meta.read_text()))
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    window = _window(history_days)
    history = Window(window.first, window.last - timedelta(days=1))
    log(f"history: preparing {history_days} days × {meetings_per_day} with one ranged run {history.first} .. {history.last}")
    with _history_emulator(history_days, meetings_per_day, latency_ms) as emulator:
        measured, _ = ours.run(emulator, history, extra_env=RUN_ENV, data_dir=cache / "data")
    backfill = Backfill(history_days, measured.seconds, measured.peak_rss_mb, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    meta.write_text(json.dumps(asdict(backfill)))
    log(f"history: {history_days} days prepared in {measured.seconds:.1f} s, peak {measured.peak_rss_mb:.0f} MB")
    return cache / "data", backfill


def _linked_copy(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    return target


def measure_nights(
    history_sizes: list[int], backfill_sizes: list[int], meetings_per_day: int, runs: int, ours: Ours, latency_ms: float
) -> tuple[list[HistoryRow], list[Backfill]]:
    """Each history's nights run back to back against one emulator: starting an emulator of years takes minutes."""
    rows = []
    for days in history_sizes:
        data, backfill = prepared_history(ours, days, meetings_per_day, latency_ms)
        rows.append(HistoryRow(days, backfill))
    backfills = [prepared_history(ours, days, meetings_per_day, latency_ms)[1] for days in backfill_sizes]
    for row in rows:
        source, _ = prepared_history(ours, row.days, meetings_per_day, latency_ms)
        window = _window(row.days)
        night = Window(window.last - timedelta(days=NIGHT_DAYS - 1), window.last)
        with _history_emulator(row.days, meetings_per_day, latency_ms) as emulator:
            _warm_days(emulator, night)
            for _ in range(runs):
                data_dir = _linked_copy(source, ours.work / f"night-{row.days}")
                measured, _ = ours.run(emulator, night, extra_env=RUN_ENV, data_dir=data_dir)
                row.nights.append(measured)
                ours.discard(data_dir)
                log(f"history: night after {row.days} days: {measured.seconds:.2f} s, {measured.peak_rss_mb:.0f} MB")
    return rows, backfills


@dataclass
class Rerun:
    first: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)


def measure_rerun(days: int, meetings_per_day: int, runs: int, ours: Ours, latency_ms: float) -> Rerun:
    """A first run of ``days`` into a fresh data directory, then the same command with nothing changed."""
    result = Rerun()
    window = Window.ending_yesterday(days)
    with _emulator(days, window.last, meetings_per_day, latency_ms) as emulator:
        _warm_days(emulator, window)
        for _ in range(runs):
            first, data_dir = ours.run(emulator, window, extra_env=RUN_ENV)
            again, _ = ours.run(emulator, window, extra_env=RUN_ENV, data_dir=data_dir)
            result.first.append(first.seconds)
            result.again.append(again.seconds)
            ours.discard(data_dir)
            log(f"history: first run {days} days {first.seconds:.2f} s, unchanged re-run {again.seconds:.2f} s")
    return result


def render(rows: list[HistoryRow], backfills: list[Backfill], rerun: Rerun, rerun_days: int, meetings_per_day: int,
           runs: int, latency_ms: float) -> str:
    base = rows[0]
    table = []
    for row in rows:
        seconds, peak = median([m.seconds for m in row.nights]), median([m.peak_rss_mb for m in row.nights])
        table.append([
            f"{row.days:,} days", f"{seconds:.2f}", f"{seconds / median([m.seconds for m in base.nights]):.2f}",
            f"{peak:.0f}", f"{peak / median([m.peak_rss_mb for m in base.nights]):.2f}",
            " / ".join(f"{m.seconds:.2f}" for m in row.nights),
        ])
    lines = [
        "## History: a night after " + ", ".join(f"{row.days:,}" for row in rows) + " days",
        "",
        f"`relate-pipeline run` over the last {NIGHT_DAYS} days (three loaded, one new), {meetings_per_day} meetings/day, "
        f"emulator latency {latency_ms:g} ms, median of {runs} nights per history, run back to back. Each history "
        "was prepared by one ranged run, kept under bench/results/history-cache/ and hard-linked for every night.",
        "",
        markdown_table(["history", "night s", f"÷ {base.days} days", "peak RSS MB", f"÷ {base.days} days", "nights s"], table),
        "",
        "Backfills (the ranged runs that prepared the histories; measured when prepared):",
        "",
        markdown_table(
            ["backfill", "wall s", "peak RSS MB", "measured"],
            [[f"{b.days:,} days", f"{b.seconds:.1f}", f"{b.peak_rss_mb:.0f}", b.measured_at]
             for b in sorted({b.days: b for b in backfills + [r.backfill for r in rows]}.values(), key=lambda b: b.days)],
        ),
        "",
        f"First run {rerun_days} × {meetings_per_day} into a fresh directory, then the same command unchanged: "
        f"{median(rerun.first):.2f} s and {median(rerun.again):.2f} s, **{median(rerun.again) / median(rerun.first):.0%}** "
        f"(runs: {', '.join(f'{a:.2f} / {b:.2f}' for a, b in zip(rerun.first, rerun.again))}).",
        "",
    ]
    return "\n".join(lines)

