"""Reading the stores: a partition file through the lake's reader against pyarrow's defaults, and
what an unchanged re-run reads before it decides anything.

One `relate-pipeline run` fills a data directory (90 days × 40 meetings by default). Then, in this
process, with every file in the page cache:

- per table, one read of every day's file, through pyarrow's defaults (`pq.read_table`) and
  through `Lake.read_partition` (single-threaded, no pre-buffering on a local disk); the figure
  is the median over the days of the fastest of `repeats` passes, in milliseconds per file;
- the stored state extraction compares the listings with: where every event is held
  (`held_event_days`), and each day's raw listing, recording fetches and deletions
  (`stored_day`) with its finished recordings (`finished_recordings`), in seconds for all days.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from harness import Ours, Window, log, markdown_table, median, warm_emulator
from relate_pipeline.lake import PARTITION_FILE, Lake
from relate_pipeline.meetings.day_tables import finished_recordings
from relate_pipeline.meetings.raw_store import held_event_days, stored_day

TABLES = (
    ("raw", "raw_calendar_events"),
    ("raw", "raw_recordings"),
    ("raw", "raw_deleted_events"),
    ("lake", "recordings"),
    ("lake", "transcript_segments"),
)


@dataclass
class FileReads:
    table: str
    kilobytes: float
    defaults_ms: float
    lake_ms: float


@dataclass
class StoreReads:
    days: int
    meetings: int
    files: list[FileReads]
    held_s: float
    stored_s: float


def _fastest_ms(read: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        read()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _file_reads(root: Path, store: Lake, table: str, days: list[str], repeats: int) -> FileReads:
    paths = [root / table / f"date={day}" / PARTITION_FILE for day in days]
    defaults = [_fastest_ms(lambda p=path: pq.read_table(p), repeats) for path in paths]
    tuned = [_fastest_ms(lambda d=day: store.read_partition(table, d), repeats) for day in days]
    size = statistics.mean(path.stat().st_size for path in paths) / 1024
    return FileReads(table, size, median(defaults), median(tuned))


def _seconds(work: Callable[[], object], repeats: int) -> float:
    return median([_fastest_ms(work, 1) / 1000 for _ in range(repeats)])


def measure(days: int, meetings: int, repeats: int, ours: Ours) -> StoreReads:
    window = Window.ending_yesterday(days)
    with warm_emulator(window, meetings, 50.0) as emulator:
        log(f"reads: filling {days} days x {meetings}")
        _, data_dir = ours.run(emulator, window)
    raw, lake = Lake(str(data_dir / "raw")), Lake(str(data_dir / "lake"))
    stores = {"raw": raw, "lake": lake}
    held_days = raw.partitions("raw_calendar_events")
    files = [_file_reads(data_dir / root, stores[root], table, held_days, repeats) for root, table in TABLES]
    held_s = _seconds(lambda: held_event_days(raw), repeats)
    stored_s = _seconds(lambda: [(stored_day(raw, day), finished_recordings(raw, lake, day)) for day in held_days], repeats)
    ours.discard(data_dir)
    return StoreReads(len(held_days), meetings, files, held_s, stored_s)


def render(reads: StoreReads, repeats: int) -> str:
    rows = [
        [f"`{f.table}`", f"{f.kilobytes:.0f}", f"{f.defaults_ms:.2f}", f"{f.lake_ms:.2f}", f"{f.lake_ms / f.defaults_ms:.0%}"]
        for f in reads.files
    ]
    return "\n".join(
        [
            "## Reading the stores",
            "",
            f"`bench/store_reads.py`: the data directory of one run over {reads.days} days × {reads.meetings} "
            f"meetings, read back in one process with the files in the page cache; per file, the median "
            f"over the days of the fastest of {repeats} reads.",
            "",
            markdown_table(
                ["table", "file KB (mean)", "pyarrow defaults ms", "lake reader ms", "lake ÷ defaults"], rows
            ),
            "",
            f"What an unchanged re-run reads before deciding anything (median of {repeats}): where every event "
            f"is held, {reads.held_s:.3f} s; each day's stored listing, fetches, deletions and finished "
            f"recordings, {reads.stored_s:.3f} s for {reads.days} days. Both are read on threads while the "
            "days are listed.",
            "",
        ]
    )
