"""One command for every benchmark: `python bench/run.py [--quick] [--runs N] [--only SECTIONS]`.

Sections (see docs/benchmarks.md for what each measures and why):
  peer       relate-pipeline run vs a dlt rest_api pipeline, 7 days x 40 and x 200 meetings/day
  rate       relate-pipeline run under a 20 requests/s limit, against the bound
  fetch      recordings/s vs concurrency at 100 ms latency (bench/fetch_throughput.py's measurement)
  flatten    response bytes to Parquet vs orjson-decoding the same bytes
  memory     peak RSS of one day's partition as it grows to 2,000 recordings
  scale      30, 90 and 365 days (first run, peak memory, unchanged re-run), and the fixed cost of a run
  fixed      the fixed cost (one day, no meetings, 2,000 contacts) split by step
  warehouse  analyst-view query times over the largest scale window's warehouse (runs after scale)
  limits     429 share and throughput against unannounced and announced limits, and a held-out case --runs times (bench/rate_limits.py)
  paging     a 50,000-contact CRM paged serially and concurrently (bench/crm_paging.py)
  conversation  speaker_stats / recording_stats query times over 90 days x 40 meetings/day
  rerun      first run vs unchanged re-run at 90 days x 40, and a 365-day reconcile
  reads      a partition file through the lake's reader vs pyarrow's defaults; a re-run's store reads
  ui         a run launched through the Dagster webserver vs the same run from the CLI, 7 days x 40
  history    a night (four days, one new) after 30, 365 and 1,095 days x 40, the backfills, an unchanged re-run at 30 x 40
  layout     day files vs closed months compacted into one file, over the 1,095-day history (prepared as for history)
  views      every analyst view and one day of meetings / transcripts over 1,095 days x 40 (bench/analyst_views.py)
  governance `forget --email` and a retention purge on a year x 40 meetings/day (bench/governance.py)

Each section writes bench/results/<section>.md; all of them together go to
bench/results/benchmarks.md and stdout. `--quick` is a smoke run with small sizes and one run
each. The dlt peer runs from bench/.venv-dlt, created on first use with a pinned dlt.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import analyst_views  # noqa: E402
import conversation_metrics  # noqa: E402
import fetch_concurrency  # noqa: E402
import fixed_cost  # noqa: E402
import flatten_write  # noqa: E402
import history  # noqa: E402
import lake_layout  # noqa: E402
import governance  # noqa: E402
import memory_partition  # noqa: E402
import peer_comparison  # noqa: E402
import crm_paging  # noqa: E402
import rate_limits  # noqa: E402
import scale_days  # noqa: E402
import store_reads  # noqa: E402
import ui_launch  # noqa: E402
import unchanged_rerun  # noqa: E402
import warehouse_queries  # noqa: E402
from harness import DLT_REQUIREMENT, Ours, Peer, ensure_dlt_venv, log, machine_description, write_result  # noqa: E402

SECTIONS = ("peer", "rate", "fetch", "flatten", "memory", "scale", "fixed", "warehouse", "limits", "paging", "conversation", "rerun", "reads", "ui", "history", "layout", "views", "governance")
SPEEDUP_GOALS = {(7, 40): 3.0, (30, 40): 8.0, (90, 40): 12.0, (7, 200): 5.0}
"""Issue 14's goals: dlt's wall time ÷ ours, per (days, meetings per day)."""
HISTORY_LATENCY_MS = 20.0


@dataclass(frozen=True)
class Plan:
    """Sizes per section: the issue's sizes, or small ones for a smoke run."""

    peer_sizes: tuple[peer_comparison.Size, ...]
    rate_size: peer_comparison.Size
    rate_limit: float
    fetch_concurrencies: tuple[int, ...]
    fetch_days: int
    fetch_meetings: int
    flatten_days: int
    flatten_meetings: int
    memory_sizes: tuple[int, ...]
    scale_days: tuple[int, ...]
    scale_meetings: int
    repeats: int
    conversation_days: int = 90
    conversation_meetings: int = 40
    rerun_days: int = 90
    rerun_meetings: int = 40
    reconcile_days: int = 365
    reconcile_meetings: int = 10
    ui_days: int = 7
    ui_meetings: int = 40
    history_sizes: tuple[int, ...] = (30, 365, 1095)
    history_backfills: tuple[int, ...] = (90,)
    history_meetings: int = 40
    history_rerun_days: int = 30
    views_days: int = 1095
    views_meetings: int = 40
    governance_days: int = 365
    governance_meetings: int = 40


FULL = Plan(
    peer_sizes=(
        peer_comparison.Size(40), peer_comparison.Size(40, days=30), peer_comparison.Size(40, days=90),
        peer_comparison.Size(200),
    ),
    rate_size=peer_comparison.Size(40),
    rate_limit=20.0,
    fetch_concurrencies=(1, 2, 4, 8, 16, 32, 64),
    fetch_days=7,
    fetch_meetings=40,
    flatten_days=7,
    flatten_meetings=40,
    memory_sizes=(250, 1000, 2000),
    scale_days=(30, 90, 365),
    scale_meetings=40,
    repeats=5,
)
QUICK = Plan(
    peer_sizes=(peer_comparison.Size(10, days=2),),
    rate_size=peer_comparison.Size(10, days=1),
    rate_limit=20.0,
    fetch_concurrencies=(1, 16),
    fetch_days=1,
    fetch_meetings=20,
    flatten_days=1,
    flatten_meetings=20,
    memory_sizes=(50, 200),
    scale_days=(1, 2),
    scale_meetings=10,
    repeats=1,
    conversation_days=3,
    conversation_meetings=10,
    rerun_days=3,
    rerun_meetings=10,
    reconcile_days=10,
    reconcile_meetings=5,
    ui_days=1,
    ui_meetings=10,
    history_sizes=(2, 4, 8),
    history_backfills=(3,),
    history_meetings=5,
    history_rerun_days=2,
    views_days=20,
    views_meetings=5,
    governance_days=8,
    governance_meetings=10,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and one run each: a smoke run")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (default 3, or 1 with --quick)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if "warehouse" in sections and "scale" not in sections:
        parser.error("the warehouse section queries the warehouse that the scale section builds; add scale")
    plan = QUICK if args.quick else FULL
    runs = args.runs or (1 if args.quick else 3)
    if runs < 1:
        parser.error("--runs must be at least 1")

    started = time.perf_counter()
    header = [
        "# relate-pipeline benchmarks",
        "",
        f"Command: `python bench/run.py{' --quick' if args.quick else ''}{f' --runs {args.runs}' if args.runs else ''}"
        f"{'' if args.only == ','.join(SECTIONS) else f' --only {args.only}'}`",
        "",
        f"Machine: {machine_description()}. The emulator runs in its own process on the same cores.",
        "",
    ]
    parts: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="relate-bench-"))
    ours = Ours(work)
    try:
        if "peer" in sections:
            log(f"peer: preparing {DLT_REQUIREMENT} in bench/.venv-dlt")
            ensure_dlt_venv()
            results = [peer_comparison.compare(size, runs, work, ours, Peer(work)) for size in plan.peer_sizes]
            rate = peer_comparison.rate_limited(plan.rate_size, plan.rate_limit, runs, ours) if "rate" in sections else None
            parts.append(_save("peer", peer_comparison.render(results, rate, runs, SPEEDUP_GOALS)))
        elif "rate" in sections:
            rate = peer_comparison.rate_limited(plan.rate_size, plan.rate_limit, runs, ours)
            parts.append(_save("rate", peer_comparison.render([], rate, runs, SPEEDUP_GOALS)))
        if "fetch" in sections:
            rows, recordings = fetch_concurrency.measure(plan.fetch_concurrencies, plan.fetch_days, plan.fetch_meetings, runs)
            parts.append(_save("fetch", fetch_concurrency.render(rows, recordings, runs)))
        if "flatten" in sections:
            steps, recordings, megabytes, entries = flatten_write.measure(plan.flatten_meetings, plan.flatten_days, plan.repeats)
            parts.append(_save("flatten", flatten_write.render(steps, recordings, megabytes, entries, plan.repeats)))
        if "memory" in sections:
            rows = memory_partition.measure(list(plan.memory_sizes), runs, ours)
            parts.append(_save("memory", memory_partition.render(rows, runs)))
        if "scale" in sections:
            empty, rows = scale_days.measure(list(plan.scale_days), plan.scale_meetings, runs, ours)
            parts.append(_save("scale", scale_days.render(empty, rows, runs, 50.0)))
            if "warehouse" in sections:
                warehouse = rows[-1].data_dir / "warehouse.duckdb"
                results = warehouse_queries.measure(warehouse, plan.repeats)
                counts = warehouse_queries.row_counts(warehouse)
                parts.append(_save("warehouse", warehouse_queries.render(results, counts, rows[-1].days, plan.repeats)))
        if "fixed" in sections:
            parts.append(_save("fixed_cost", fixed_cost.render(fixed_cost.measure(max(runs, 3), ours), max(runs, 3), 50.0)))
        if "limits" in sections:
            rows, held_out, start, end = rate_limits.run_all(args.quick, runs)
            parts.append(_save("rate_limits", rate_limits.render(rows, held_out, (start, end))))
        if "paging" in sections:
            parts.append(_save("crm_paging", crm_paging.render(crm_paging.measure(args.quick, runs))))
        if "conversation" in sections:
            run = conversation_metrics.measure(plan.conversation_days, plan.conversation_meetings, plan.repeats, ours)
            parts.append(_save("conversation", conversation_metrics.render(run, plan.repeats)))
        if "rerun" in sections:
            reruns = unchanged_rerun.measure_rerun(plan.rerun_days, plan.rerun_meetings, runs, ours)
            reconciles, schedule = unchanged_rerun.measure_reconcile(plan.reconcile_days, plan.reconcile_meetings, runs, ours)
            parts.append(_save("rerun", unchanged_rerun.render(
                reruns, plan.rerun_days, plan.rerun_meetings, reconciles, schedule,
                plan.reconcile_days, plan.reconcile_meetings, runs, 50.0)))
        if "reads" in sections:
            reads = store_reads.measure(plan.rerun_days, plan.rerun_meetings, plan.repeats, ours)
            parts.append(_save("store_reads", store_reads.render(reads, plan.repeats)))
        if "governance" in sections:
            run = governance.measure(plan.governance_days, plan.governance_meetings, runs, ours)
            parts.append(_save("governance", governance.render(run, runs)))
        if "ui" in sections:
            paths = ui_launch.measure(plan.ui_days, plan.ui_meetings, runs, ours)
            parts.append(_save("ui", ui_launch.render(paths, plan.ui_days, plan.ui_meetings, runs, 50.0)))
        if "history" in sections:
            nights, backfills = history.measure_nights(
                list(plan.history_sizes), list(plan.history_backfills), plan.history_meetings, runs, ours, HISTORY_LATENCY_MS
            )
            rerun = history.measure_rerun(plan.history_rerun_days, plan.history_meetings, runs, ours, HISTORY_LATENCY_MS)
            parts.append(_save("history", history.render(
                nights, backfills, rerun, plan.history_rerun_days, plan.history_meetings, runs, HISTORY_LATENCY_MS)))
        if "layout" in sections:
            largest = max(plan.history_sizes)
            data_dir, _ = history.prepared_history(ours, largest, plan.history_meetings, HISTORY_LATENCY_MS)
            figures = lake_layout.measure(data_dir / "lake", work / "layout", plan.repeats)
            parts.append(_save("layout", lake_layout.render(figures, largest, plan.repeats)))
        if "views" in sections:
            views = analyst_views.measure(plan.views_days, plan.views_meetings, plan.repeats, ours, work)
            parts.append(_save("views", analyst_views.render(views, plan.repeats)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    footer = [f"Total benchmark time: {(time.perf_counter() - started) / 60:.1f} min.", ""]
    report = "\n".join(header) + "\n".join(parts) + "\n" + "\n".join(footer)
    write_result("benchmarks", report)
    print(report)
    return 0


def _save(name: str, text: str) -> str:
    path = write_result(name, text)
    log(f"wrote {path.relative_to(Path(__file__).resolve().parent.parent)}")
    return text


if __name__ == "__main__":
    sys.exit(main())
