"""Two partitions materialized at once in separate processes while an analyst holds the warehouse open.

Both processes replace CRM snapshots and rebuild the warehouse; the analyst's read-only DuckDB
connection holds a lock on the file. Neither run may hit a lock error or lose the other's writes:
afterwards the lake, raw store and warehouse equal one fault-free range run of the three days.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.pipeline.conftest import PipelineHarness
from tests.reliability.reliability_support import (
    DAYS,
    ROOT,
    cli_env,
    lake_contents,
    raw_contents,
    restored,
    warehouse_contents,
)

# An analyst session: opens the warehouse read-only once, then answers each query read from stdin.
ANALYST = textwrap.dedent(
    """
    import sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    print("connected", flush=True)
    for query in sys.stdin:
        print(connection.execute(query).fetchone()[0], flush=True)
    """
)
EVENTS = "SELECT count(*) FROM calendar_events"


@dataclass(frozen=True)
class ParallelRun:
    harness: PipelineHarness
    outcomes: list[tuple[int, str, str]]
    analyst_before: str
    analyst_after: str


def ask(analyst: subprocess.Popen, query: str) -> str:
    analyst.stdin.write(query + "\n")
    analyst.stdin.flush()
    return analyst.stdout.readline().strip()


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A child whose stdout we converse with; its stderr (Dagster's chatty log) goes to ``log`` so it never blocks."""
    with log.open("w") as stderr:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                cwd=ROOT, env=env)


@pytest.fixture(scope="module")
def parallel_run(reliability_emulator, baseline, tmp_path_factory) -> ParallelRun:
    with restored(reliability_emulator) as emulator:
        return run_in_parallel(emulator, tmp_path_factory.mktemp("parallel"))


def run_in_parallel(emulator, root: Path) -> ParallelRun:
    """Day one in-process, then an analyst connects and days two and three run at once in two processes."""
    harness = PipelineHarness(emulator, root / "data")
    first_day = date.fromisoformat(DAYS[0])
    assert harness.run(first_day, first_day).success
    emulator.admin.set_faults(latency_ms=15)
    env = cli_env(RELATE_API_BASE_URL=emulator.base_url, RELATE_API_KEY=emulator.api_key,
                  RELATE_INTERNAL_DOMAINS=",".join(harness.lakehouse.internal_domains))
    analyst = start([sys.executable, "-c", ANALYST, harness.warehouse_path], root / "analyst.log")
    logs = [root / f"worker-{day}.log" for day in DAYS[1:]]
    workers = [
        start([sys.executable, "-m", "tests.reliability.partition_worker", str(harness.data_dir), day], log, env)
        for day, log in zip(DAYS[1:], logs)
    ]
    try:
        assert analyst.stdout.readline().strip() == "connected", (root / "analyst.log").read_text()
        analyst_before = ask(analyst, EVENTS)
        for worker, log in zip(workers, logs):
            assert worker.stdout.readline().strip() == "ready", log.read_text()[-3000:]
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outcomes = []
        for worker, log in zip(workers, logs):
            stdout, _ = worker.communicate(timeout=240)
            outcomes.append((worker.returncode, stdout.strip(), log.read_text()))
        analyst_after = ask(analyst, EVENTS)
    finally:
        for process in (analyst, *workers):
            if process.poll() is None:
                process.kill()
            process.communicate()
    return ParallelRun(harness, outcomes, analyst_before, analyst_after)


def test_both_partition_processes_succeed_without_a_lock_error(parallel_run):
    reports = [out.split() for _, out, _ in parallel_run.outcomes]
    assert [(code, report[0]) for (code, _, _), report in zip(parallel_run.outcomes, reports)] == [(0, "succeeded")] * 2
    assert not any("lock" in stderr.lower() for _, _, stderr in parallel_run.outcomes)
    starts, ends = [float(r[1]) for r in reports], [float(r[2]) for r in reports]
    assert max(starts) < min(ends), "the two runs did not overlap"


def test_lake_and_raw_store_hold_every_partition_as_one_fault_free_range_run_would(parallel_run, baseline):
    assert lake_contents(parallel_run.harness.lake) == baseline.lake
    assert raw_contents(parallel_run.harness.lakehouse.raw) == baseline.raw


def test_rebuilt_warehouse_equals_the_fault_free_one(parallel_run, baseline):
    assert warehouse_contents(parallel_run.harness.warehouse_path) == baseline.warehouse


def test_analyst_connection_kept_answering_and_now_sees_every_day(parallel_run, baseline):
    all_days = len(baseline.lake["calendar_events"])
    assert 0 < int(parallel_run.analyst_before) < all_days
    assert int(parallel_run.analyst_after) == all_days
