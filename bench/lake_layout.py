"""The lake's layout, compared on a prepared history: day files (the lake as written) against closed
months compacted into one file per table and month.

The month copy is made from the day files themselves: each month's days of a table concatenated in
date order with their ``date`` as a column, one row group per day (so a one-day query can skip the
other days by the row groups' statistics), written with the lake's own compression. Measured, on
the same DuckDB connection, alternating the two layouts: a one-day query, a query over every day,
and what a run pays to replace a day (the day's file, or its whole month's file).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from harness import markdown_table, median
from relate_pipeline.lake import COMPRESSION

TABLES = ("transcript_utterances", "calendar_events")


@dataclass
class LayoutFigures:
    files: int = 0
    one_day: list[float] = field(default_factory=list)
    all_days: list[float] = field(default_factory=list)
    replace_day: list[float] = field(default_factory=list)


def _month_copy(lake: Path, out: Path, table: str) -> int:
    days = sorted(p.name[5:] for p in (lake / table).glob("date=*") if (p / "part.parquet").is_file())
    months: dict[str, list[str]] = {}
    for day in days:
        months.setdefault(day[:7], []).append(day)
    for month, month_days in months.items():
        _write_month(lake, out, table, month, month_days)
    return len(months)


def _write_month(lake: Path, out: Path, table: str, month: str, days: list[str]) -> None:
    target = out / table / f"month={month}"
    target.mkdir(parents=True, exist_ok=True)
    writer = None
    for day in days:
        part = pq.read_table(lake / table / f"date={day}" / "part.parquet")
        part = part.append_column("date", pa.array([day] * part.num_rows, pa.string()).cast(pa.date32()))
        if writer is None:
            writer = pq.ParquetWriter(target / "part.parquet", part.schema, compression=COMPRESSION)
        writer.write_table(part)
    if writer is not None:
        writer.close()


def _timed(connection: duckdb.DuckDBPyConnection, sql: str) -> float:
    started = time.perf_counter()
    connection.execute(sql).fetchall()
    return time.perf_counter() - started


def measure(lake: Path, out: Path, repeats: int) -> dict[tuple[str, str], LayoutFigures]:
    figures: dict[tuple[str, str], LayoutFigures] = {}
    connection = duckdb.connect()
    for table in TABLES:
        day_dir = lake / table
        days = sorted(p.name[5:] for p in day_dir.glob("date=*"))
        day = days[len(days) // 2]
        months = _month_copy(lake, out, table)
        sources = {
            "day files": f"read_parquet('{day_dir}/date=*/part.parquet', hive_partitioning = true, hive_types = {{'date': DATE}})",
            "month files": f"read_parquet('{out / table}/month=*/part.parquet', hive_partitioning = true)",
        }
        one_day_filter = {
            "day files": f"date = DATE '{day}'",
            "month files": f"month = '{day[:7]}' AND date = DATE '{day}'",
        }
        for layout in sources:
            figures[(table, layout)] = LayoutFigures(files=len(days) if layout == "day files" else months)
        for _ in range(repeats):
            for layout, source in sources.items():
                row = figures[(table, layout)]
                row.one_day.append(_timed(connection, f"SELECT count(*), max(date) FROM {source} WHERE {one_day_filter[layout]}"))
                row.all_days.append(_timed(connection, f"SELECT date, count(*) FROM {source} GROUP BY date"))
            figures[(table, "day files")].replace_day.append(_replace_day(day_dir, day, out))
            month_days = [d for d in days if d.startswith(day[:7])]
            started = time.perf_counter()
            _write_month(lake, out / "rewrite", table, day[:7], month_days)
            figures[(table, "month files")].replace_day.append(time.perf_counter() - started)
    return figures


def _replace_day(day_dir: Path, day: str, out: Path) -> float:
    """Read the day's file and write it again, as a run replacing the day does."""
    started = time.perf_counter()
    part = pq.read_table(day_dir / f"date={day}" / "part.parquet")
    pq.write_table(part, out / "rewritten-day.parquet", compression=COMPRESSION)
    return time.perf_counter() - started


def render(figures: dict[tuple[str, str], LayoutFigures], history_days: int, repeats: int) -> str:
    rows = [
        [table, layout, f"{f.files:,}", f"{median(f.one_day) * 1000:.0f}", f"{median(f.all_days) * 1000:.0f}",
         f"{median(f.replace_day) * 1000:.0f}"]
        for (table, layout), f in figures.items()
    ]
    return "\n".join([
        f"Lake layout over the {history_days:,}-day history (DuckDB, median of {repeats}, the layouts alternated):",
        "",
        markdown_table(["table", "layout", "files", "one day ms", "every day ms", "replacing one day ms"], rows),
        "",
    ])
