"""Section 9: the conversation views over 90 days × 40 meetings, and what transcript_segments costs at flatten time.

The lake and warehouse are built by `relate-pipeline run` from a warmed emulator, as a user builds
them. The views are queried as an analyst queries them: one read-only connection, each query run
once untimed, then timed `repeats` times (the whole result fetched into Python). The goal is
`SELECT * FROM recording_stats` and `FROM speaker_stats` within 2 s each.

transcript_segments is the one step the views moved to flatten time; its cost is measured
directly, next to the whole flattening it is part of: every day's raw recordings, read back from
the raw store, flattened into all the recording tables, and every day's transcript_utterances
reduced to segments alone.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from harness import Ours, Window, log, markdown_table, median, warm_emulator
from relate_pipeline.warehouse.conversation import CONVERSATION_SAMPLE_QUERY, conversation_summary
from relate_pipeline.meetings.segments import transcript_segments
from relate_pipeline.meetings.raw_tables import flatten_raw_recordings
from relate_pipeline.lake import Lake

GOAL_S = 2.0
QUERIES: dict[str, str] = {
    "SELECT * FROM recording_stats": "SELECT * FROM recording_stats",
    "FROM speaker_stats": "FROM speaker_stats",
    "SELECT * FROM organization_activity": "SELECT * FROM organization_activity",
    "SELECT * FROM action_items": "SELECT * FROM action_items",
    "the demo's recording_stats query": CONVERSATION_SAMPLE_QUERY,
}


@dataclass
class ConversationRun:
    days: int
    meetings_per_day: int
    rows: dict[str, int]
    queries: list[tuple[str, int, list[float]]]
    summary_seconds: list[float]
    segment_seconds: list[float]
    flatten_seconds: list[float]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def _time(action, repeats: int) -> list[float]:
    action()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return timings


def _per_day_seconds(lake: Lake, table: str, step, repeats: int) -> list[float]:
    days = [lake.read_partition(table, day) for day in lake.partitions(table)]
    return _time(lambda: [step(partition) for partition in days], repeats)


def measure(days: int, meetings_per_day: int, repeats: int, ours: Ours) -> ConversationRun:
    window = Window.ending_yesterday(days)
    with warm_emulator(window, meetings_per_day, 0) as emulator:
        measured, data_dir = ours.run(emulator, window)
    log(f"conversation: {days} days loaded in {measured.seconds:.1f} s")
    warehouse = Path(data_dir) / "warehouse.duckdb"
    load_before = os.getloadavg()
    results = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = {
            name: connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in ("recordings", "transcript_utterances", "transcript_segments", "speaker_stats", "recording_stats")
        }
        for label, sql in QUERIES.items():
            returned = len(connection.execute(sql).fetchall())
            results.append((label, returned, _time(lambda: connection.execute(sql).fetchall(), repeats)))
        last_week = (window.last - timedelta(days=6), window.last)
        summary = _time(lambda: conversation_summary(connection, *last_week), repeats)
    segments = _per_day_seconds(Lake(str(Path(data_dir) / "lake")), "transcript_utterances", transcript_segments, repeats)
    flatten = _per_day_seconds(Lake(str(Path(data_dir) / "raw")), "raw_recordings", flatten_raw_recordings, repeats)
    load_after = os.getloadavg()
    ours.discard(data_dir)
    return ConversationRun(days, meetings_per_day, rows, results, summary, segments, flatten, load_before, load_after)


def render(run: ConversationRun, repeats: int) -> str:
    rows = [
        [label, f"{returned:,}", f"{median(t) * 1000:.0f}", f"{max(t) * 1000:.0f}",
         ("yes" if median(t) <= GOAL_S else "no") if label in ("SELECT * FROM recording_stats", "FROM speaker_stats") else ""]
        for label, returned, t in run.queries
    ]
    rows.append(["warehouse summary of the last 7 days (the materialization's Markdown)", "", f"{median(run.summary_seconds) * 1000:.0f}",
                 f"{max(run.summary_seconds) * 1000:.0f}", ""])
    per_day = median(run.segment_seconds) / run.days
    load = lambda values: ", ".join(f"{v:.2f}" for v in values)  # noqa: E731
    return "\n".join(
        [
            f"## 7. Conversation views over {run.days} days × {run.meetings_per_day} meetings",
            "",
            "Rows: " + ", ".join(f"{name} {count:,}" for name, count in run.rows.items())
            + f". Median and max of {repeats} repeats after one untimed run, one read-only connection, whole result fetched."
            + f" Load average before / after: {load(run.load_before)} / {load(run.load_after)}.",
            "",
            markdown_table(["query", "rows returned", "median ms", "max ms", f"≤ {GOAL_S:g} s"], rows),
            "",
            f"transcript_segments at flatten time: {median(run.segment_seconds):.2f} s for all {run.days} days' "
            f"{run.rows['transcript_utterances']:,} entries ({per_day * 1000:.0f} ms per day), within "
            f"{median(run.flatten_seconds):.2f} s for flattening the days' raw recordings into every recording table "
            f"({median(run.segment_seconds) / median(run.flatten_seconds):.0%} of it); medians of {repeats}.",
            "",
        ]
    )
