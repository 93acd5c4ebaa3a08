"""Section `views`: every documented analyst view over years of history, and one day of `meetings` and `transcripts`.

Loading three years through the API would take the bench an hour, and what is measured here is
only what an analyst waits for once the lake exists. So a fortnight is loaded by
`relate-pipeline run` from the emulator (40 meetings a day), as a user loads it, and every day of
the long history is that fortnight's day of the same position, written straight into a fresh lake
with its ids made unique to its day and its times moved to it: every day has a real day's tables
(metric tables included) and volume, and the CRM snapshot is the run's own. The warehouse is then
built over that lake as a run builds it (with the lake's day index), and each query is run once untimed and timed `repeats`
times on one read-only connection, its whole result fetched as Arrow (what a notebook or a BI
tool receives; converting millions of rows to Python tuples measures Python, not the warehouse).
"""

from __future__ import annotations

import os
import resource
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from harness import Ours, Window, log, markdown_table, median, warm_emulator
from relate_pipeline.lake import Lake
from relate_pipeline.tables import CRM_TABLES, MEETING_TABLES, TIMESTAMP
from relate_pipeline.day_index import refresh_day_index
from relate_pipeline.warehouse.build import ANALYST_VIEWS, refresh_warehouse

VIEW_GOAL_S = 1.0
DAY_GOAL_S = 0.1
TEMPLATE_DAYS = 14
ID_COLUMNS = ("event_id", "recording_id", "calendar_event_id")


@dataclass
class ViewTimes:
    days: int
    meetings_per_day: int
    lake_files: int
    build_seconds: float
    rows: dict[str, int]
    queries: list[tuple[str, str, int, list[float], list[float], float]]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def _moved(table: pa.Table, suffix: str, shift: timedelta) -> pa.Table:
    """The table with its ids made unique to the target day and its times moved to it."""
    columns = []
    for field in table.schema:
        column = table.column(field.name)
        if field.name in ID_COLUMNS:
            column = pc.binary_join_element_wise(column, pa.scalar(suffix), "")
        elif field.type == TIMESTAMP and shift:
            column = pc.add(column, pa.scalar(shift, type=pa.duration("us")))
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def write_history(template: Lake, lake: Lake, last: date, days: int) -> None:
    """``days`` days ending ``last``, each the template day at the same position of its fortnight."""
    template_days = template.partitions("calendar_events")
    tables = {(name, day): template.read_partition(name, day) for name in MEETING_TABLES for day in template_days}
    first = last - timedelta(days=days - 1)

    def write_day(offset: int) -> None:
        target = first + timedelta(days=offset)
        source = template_days[offset % len(template_days)]
        shift = target - date.fromisoformat(source)
        for name in MEETING_TABLES:
            table = tables[(name, source)]
            if table is not None:
                lake.write_partition(name, target.isoformat(), _moved(table, f"-{target:%Y%m%d}", shift))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(write_day, range(days)))
    for name in CRM_TABLES:
        snapshot = template.read_snapshot(name)
        if snapshot is not None:
            lake.write_snapshot(name, snapshot)


def queries(day: date) -> dict[str, tuple[str, float]]:
    one_day = f"DATE '{day.isoformat()}'"
    views = {f"SELECT * FROM {view}": (f"SELECT * FROM {view}", VIEW_GOAL_S) for view in ANALYST_VIEWS}
    return {
        **views,
        "one day of meetings": (f"SELECT * FROM meetings WHERE date = {one_day}", DAY_GOAL_S),
        "one day of transcripts": (f"SELECT * FROM transcripts WHERE date = {one_day}", DAY_GOAL_S),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_queries(warehouse: Path, day: date, repeats: int) -> list[tuple[str, str, int, list[float], list[float], float]]:
    """Wall time and CPU time (every DuckDB thread) of each query: on a shared machine the CPU time
    tells what the query costs, the wall time what it cost this time."""
    results = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for label, (sql, goal) in queries(day).items():
            returned = connection.sql(sql).to_arrow_table().num_rows
            walls, cpus = [], []
            for _ in range(repeats):
                started, cpu = time.perf_counter(), _cpu_seconds()
                connection.sql(sql).to_arrow_table()
                walls.append(time.perf_counter() - started)
                cpus.append(_cpu_seconds() - cpu)
            results.append((label, sql, returned, walls, cpus, goal))
            log(f"views: {label}: {median(walls) * 1000:.0f} ms")
    return results


def measure(days: int, meetings_per_day: int, repeats: int, ours: Ours, work: Path) -> ViewTimes:
    window = Window.ending_yesterday(min(TEMPLATE_DAYS, days))
    with warm_emulator(window, meetings_per_day, 0) as emulator:
        domains = emulator.admin.snapshot()["internal_domains"]
        _, data_dir = ours.run(emulator, window)
    history = work / f"history-{days}"
    started = time.perf_counter()
    write_history(Lake(str(data_dir / "lake")), Lake(str(history / "lake")), window.last, days)
    log(f"views: {days} days written in {time.perf_counter() - started:.0f} s")
    ours.discard(data_dir)
    warehouse = history / "warehouse.duckdb"
    started = time.perf_counter()
    lake = Lake(str(history / "lake"))
    rows = refresh_warehouse(warehouse, lake, domains, day_index=refresh_day_index(lake)).rows
    build_seconds = time.perf_counter() - started
    lake_files = sum(1 for _ in (history / "lake").rglob("*.parquet"))
    load_before = os.getloadavg()
    results = time_queries(warehouse, window.last, repeats)
    load_after = os.getloadavg()
    shutil.rmtree(history, ignore_errors=True)
    return ViewTimes(days, meetings_per_day, lake_files, build_seconds, rows, results, load_before, load_after)


def render(run: ViewTimes, repeats: int) -> str:
    rows = [
        [f"`{sql}`" if label.startswith("SELECT") else f"{label} (`{sql}`)", f"{returned:,}", f"{median(t) * 1000:.0f}",
         f"{max(t) * 1000:.0f}", f"{median(cpu) * 1000:.0f}", f"≤ {goal:g} s: {'yes' if median(t) <= goal else 'no'}"]
        for label, sql, returned, t, cpu, goal in run.queries
    ]
    load = lambda values: ", ".join(f"{v:.2f}" for v in values)  # noqa: E731
    counts = ", ".join(f"{name} {run.rows[name]:,}" for name in ("calendar_events", "recordings", "transcript_utterances", "speaker_metrics"))
    return "\n".join(
        [
            f"## Analyst views over {run.days:,} days × {run.meetings_per_day} meetings",
            "",
            f"{run.lake_files:,} lake files; rows: {counts}. Warehouse built in {run.build_seconds:.1f} s. "
            f"Median and max of {repeats} repeats after one untimed run, one read-only connection, whole result fetched as Arrow. "
            f"Load average before / after: {load(run.load_before)} / {load(run.load_after)}.",
            "",
            markdown_table(["query", "rows returned", "median ms", "max ms", "median CPU ms", "goal (wall)"], rows),
            "",
        ]
    )
