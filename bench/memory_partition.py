"""Section 4: peak memory of `relate-pipeline run` over one day, as that day's partition grows.

A single working day is run with more and more meetings (emulator latency 0, so the run is
short and memory, not waiting, is what is measured). If extraction and flattening stream in
batches, peak RSS stays flat as the partition grows; if they hold the partition, it climbs by
roughly the partition's size for every copy held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness import Ours, Window, log, markdown_table, median, warm_emulator

LIMIT_MB = 1024


@dataclass
class MemoryRow:
    meetings: int
    recordings: int = 0
    megabytes_json: float = 0.0
    peak_mb: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def measure(sizes: list[int], runs: int, ours: Ours) -> list[MemoryRow]:
    window = Window.weekday_before_today()
    rows = []
    for meetings in sizes:
        row = MemoryRow(meetings)
        log(f"memory: one day with {meetings} meetings")
        with warm_emulator(window, meetings, 0) as emulator:
            for _ in range(runs):
                measured, data_dir = ours.run(emulator, window)
                row.peak_mb.append(measured.peak_rss_mb)
                row.seconds.append(measured.seconds)
                row.recordings = ours.row_counts(data_dir)["recordings"]
                row.megabytes_json = _raw_megabytes(data_dir)
                ours.discard(data_dir)
                log(f"memory: {row.recordings} recordings: {measured.peak_rss_mb:.0f} MB, {measured.seconds:.1f} s")
        rows.append(row)
    return rows


def _raw_megabytes(data_dir: Path) -> float:
    import duckdb

    pattern = str(data_dir / "raw" / "raw_recordings" / "date=*" / "part.parquet")
    with duckdb.connect() as connection:
        (total,) = connection.execute(f"SELECT coalesce(sum(octet_length(body)), 0) FROM read_parquet('{pattern}')").fetchone()
    return total / 1e6


def render(rows: list[MemoryRow], runs: int) -> str:
    table = [
        [
            row.recordings,
            f"{row.megabytes_json:.0f}",
            f"{median(row.peak_mb):.0f}",
            "yes" if median(row.peak_mb) < LIMIT_MB else "**no**",
            f"{median(row.seconds):.1f}",
        ]
        for row in rows
    ]
    lines = [
        "## 4. Memory: one partition, growing",
        "",
        f"One working day, emulator latency 0; peak RSS of the `relate-pipeline run` process, median of {runs} run(s). "
        f"Goal: under {LIMIT_MB} MB at 2,000 recordings and flat as the partition grows.",
        "",
        markdown_table(["recordings in the partition", "MB of response JSON", "peak RSS MB", f"< {LIMIT_MB} MB", "run s"], table),
        "",
    ]
    if len(rows) >= 2 and rows[-1].recordings != rows[0].recordings:
        first, last = rows[0], rows[-1]
        slope = (median(last.peak_mb) - median(first.peak_mb)) / (last.recordings - first.recordings) * 1000
        per_json = (median(last.peak_mb) - median(first.peak_mb)) / max(last.megabytes_json - first.megabytes_json, 1e-9)
        lines += [
            f"Growth: {slope:+.0f} MB of peak RSS per 1,000 more recordings "
            f"({per_json:.2f} MB of RSS per MB of response JSON).",
            "",
        ]
    return "\n".join(lines)
