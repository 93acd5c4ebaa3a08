"""Round two: what trackers cost at flatten time, and the tracker, deal and history views over 1 and 3 years.

    .venv/bin/python bench/round_two.py DATA_DIR [DATA_DIR ...] [--days-flattened 30] [--repeats 5]

Each DATA_DIR is a data directory a `relate-pipeline run` filled (the history section's cached
1-year and 3-year directories, for instance); it is copied with hard links (`cp -al`) and only the
copy is written, which is safe because the pipeline replaces every file by renaming a new one over
it. On the copy:

1. **Flatten time.** ``write_meeting_day`` on the last ``--days-flattened`` days, alternating a pass
   without trackers and a pass with the demo's (relate_cli/demo_trackers.yaml), so both see the same
   load; the difference is what trackers add when a day is flattened.
2. **A changed file.** ``apply_trackers`` over every day: the mentions of the whole history
   computed again from the stored transcripts, as the first run after the file changed does.
3. **Views.** The warehouse is built over the copy; each view is queried whole once untimed and
   ``--repeats`` times timed on one read-only connection.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from relate_cli.main import DEMO_TRACKERS  # noqa: E402
from relate_pipeline.lake import Lake  # noqa: E402
from relate_pipeline.meetings.day_tables import write_meeting_day  # noqa: E402
from relate_pipeline.meetings.tracker_days import apply_trackers  # noqa: E402
from relate_pipeline.meetings.trackers import Trackers, load_trackers  # noqa: E402
from relate_pipeline.warehouse.build import build_warehouse  # noqa: E402

QUERIES = {
    "SELECT * FROM tracker_stats": "SELECT * FROM tracker_stats",
    "SELECT count(*) FROM tracker_mentions": "SELECT count(*) FROM tracker_mentions",
    "the demo's tracker query": None,
    "SELECT * FROM deals": "SELECT * FROM deals",
    "SELECT * FROM deal_activity": "SELECT * FROM deal_activity",
    "the demo's deal query": None,
    "SELECT * FROM list_entries_history": "SELECT * FROM list_entries_history",
    "SELECT * FROM contacts_history": "SELECT * FROM contacts_history",
}


def _sample_queries() -> dict[str, str]:
    from relate_pipeline.warehouse.deals import DEAL_SAMPLE_QUERY
    from relate_pipeline.warehouse.trackers import TRACKER_SAMPLE_QUERY

    return {**QUERIES, "the demo's tracker query": TRACKER_SAMPLE_QUERY, "the demo's deal query": DEAL_SAMPLE_QUERY}


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def flatten_cost(data: Path, days: list[str], trackers: Trackers) -> tuple[list[float], list[float], int]:
    raw, lake = Lake(str(data / "raw")), Lake(str(data / "lake"))
    without, with_trackers, mentions = [], [], 0
    for _ in range(2):
        without.append(sum(_timed(lambda d=day: write_meeting_day(raw, lake, d)) for day in days))
        with_trackers.append(sum(_timed(lambda d=day: write_meeting_day(raw, lake, d, trackers)) for day in days))
    mentions = sum(lake.read_partition("tracker_matches", day).num_rows for day in days)
    return without, with_trackers, mentions


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dirs", nargs="+", type=Path)
    parser.add_argument("--days-flattened", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--internal-domains", default="northwind-sales.example,northwind.test", help="the emulator's (seed 7) by default")
    args = parser.parse_args(argv)
    trackers = load_trackers(DEMO_TRACKERS)
    for source in args.data_dirs:
        with tempfile.TemporaryDirectory(dir=Path(__file__).parent / "results") as work:
            data = Path(work) / "data"
            subprocess.run(["cp", "-al", str(source), str(data)], check=True)
            (data / "warehouse.duckdb").unlink(missing_ok=True)
            lake = Lake(str(data / "lake"))
            days = lake.partitions("transcript_utterances")
            print(f"\n## {source.name}: {len(days)} days, load {os.getloadavg()[0]:.2f}", flush=True)
            sample = days[-args.days_flattened :]
            without, with_trackers, mentions = flatten_cost(data, sample, trackers)
            print(
                f"flatten {len(sample)} days: without trackers {[round(t, 2) for t in without]} s, "
                f"with {[round(t, 2) for t in with_trackers]} s; {mentions:,} mentions", flush=True
            )
            lake.write_snapshot("tracker_definitions", Trackers().definitions())
            started = time.perf_counter()
            recomputed = apply_trackers(lake, trackers)
            print(f"apply_trackers: {len(recomputed)} days in {time.perf_counter() - started:.2f} s", flush=True)
            started = time.perf_counter()
            build_warehouse(data / "warehouse.duckdb", lake, args.internal_domains.split(","))
            print(f"warehouse build {time.perf_counter() - started:.2f} s, load {os.getloadavg()[0]:.2f}", flush=True)
            with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as connection:
                counts = {
                    view: connection.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
                    for view in ("tracker_matches", "tracker_stats", "deals", "deal_meetings", "list_entries_history", "contacts_history")
                }
                print("rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()), flush=True)
                print("| query | rows | median ms | max ms |\n| --- | ---: | ---: | ---: |")
                for label, sql in _sample_queries().items():
                    rows = len(connection.execute(sql).fetchall())
                    timings = [_timed(lambda: connection.execute(sql).fetchall()) for _ in range(args.repeats)]
                    print(f"| {label} | {rows:,} | {median(timings) * 1000:.0f} | {max(timings) * 1000:.0f} |", flush=True)
            print(f"load after: {os.getloadavg()[0]:.2f}")
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
