"""A `relate-pipeline run` process killed with SIGKILL mid-run, then run again.

The child is the real command with one addition: an audit hook (the interpreter's own tracing of file
operations) that holds the process just before it renames the second day's `recordings` partition
into place, so the kill lands at the same point every time: the first day's partitions already
replaced, that one fully written to its temporary file but not yet published over the previous
version, the last day's untouched.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from relate_pipeline.day_index import INDEX_TABLE, DayIndex, load_day_index, refresh_day_index
from relate_pipeline.lake import Lake
from relate_pipeline.tables import MEETING_TABLES
from relate_pipeline.warehouse.build import build_warehouse
from tests.pipeline.conftest import PipelineHarness
from tests.pipeline.truth import exposed_events
from tests.reliability.reliability_support import (
    DAYS,
    FIRST,
    LAST,
    ROOT,
    canonical_rows,
    cli_env,
    lake_contents,
    raw_contents,
    restored,
    warehouse_contents,
)

HELD_PARTITION = ("recordings", DAYS[1])

# `relate-pipeline run ...`, held just before it renames HELD_PARTITION into place.
HELD_RUN = """
import os, sys, time

held = os.path.normpath(os.path.join(os.environ["RELATE_DATA_DIR"], "lake", os.environ["HOLD_AT_PUBLISH"]))

def hold_before_publishing(event, args):
    if event == "os.rename" and os.path.normpath(str(args[1])) == held:
        with open(os.environ["HELD_MARKER"], "w") as marker:
            marker.write(f"{args[0]}\\n")
        time.sleep(600)

sys.addaudithook(hold_before_publishing)
from relate_cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def partition_versions(lake: Lake) -> dict[tuple[str, str], list[str]]:
    return {(table, day): sorted(canonical_rows(lake.read_partition(table, day))) for table in MEETING_TABLES for day in DAYS}


def temp_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.tmp"))


@dataclass(frozen=True)
class KilledRun:
    exit_status: int
    pid: int
    held_temp: Path
    held_rows: list[str]
    before: dict[tuple[str, str], list[str]]
    after_kill: dict[tuple[str, str], list[str]]
    wanted: dict[tuple[str, str], list[str]]
    temps_after_kill: list[Path]
    duckdb_counts: dict[str, int]
    published_counts: dict[str, int]
    rerun: PipelineHarness
    fresh: PipelineHarness


def previous_run(baseline, harness: PipelineHarness) -> PipelineHarness:
    """``harness``'s data directory holding what the fault-free run left, its warehouse rebuilt over this lake."""
    shutil.copytree(baseline.data_dir, harness.data_dir)
    build_warehouse(harness.warehouse_path, harness.lake, harness.lakehouse.internal_domains)
    return harness


def kill_when_held(command: list[str], env: dict[str, str], marker: Path, log: Path) -> tuple[int, int]:
    """Runs ``command`` until it reports being held, then SIGKILLs it; its pid and exit status."""
    with log.open("w") as output:
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 240
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        status = child.wait(timeout=30)
    assert marker.exists(), f"the run was never held before a publish; its output:\n{log.read_text()[-3000:]}"
    return child.pid, status


def kill_held_run(emulator, domains: list[str], root: Path, hold_at: str) -> tuple[int, int]:
    """`relate-pipeline run` of the days into ``root / "data"``, killed when held before publishing ``hold_at`` (under the lake)."""
    (root / "home").mkdir()
    env = cli_env(
        RELATE_API_BASE_URL=emulator.base_url, RELATE_API_KEY=emulator.api_key, RELATE_DATA_DIR=str(root / "data"),
        RELATE_INTERNAL_DOMAINS=",".join(domains), DAGSTER_HOME=str(root / "home"),
        HOLD_AT_PUBLISH=hold_at, HELD_MARKER=str(root / "held"),
    )
    command = [sys.executable, "-c", HELD_RUN, "run", "--start", FIRST.isoformat(), "--end", LAST.isoformat()]
    return kill_when_held(command, env, root / "held", root / "killed.log")


@pytest.fixture(scope="module")
def killed_run(reliability_emulator, baseline, tmp_path_factory) -> KilledRun:
    root = tmp_path_factory.mktemp("killed")
    data_dir, marker = root / "data", root / "held"
    with restored(reliability_emulator) as emulator:
        domains = emulator.admin.snapshot()["internal_domains"]
        harness = previous_run(baseline, PipelineHarness(emulator, data_dir))
        before = partition_versions(harness.lake)
        for day in DAYS:
            start = datetime.fromisoformat(f"{day}T10:07:00").replace(tzinfo=timezone.utc)
            emulator.admin.insert_event(start, title=f"Added before the killed run ({day})")
        fresh = PipelineHarness(emulator, root / "fresh")
        fresh.run(FIRST, LAST)
        wanted = partition_versions(fresh.lake)

        hold_at = os.path.join(HELD_PARTITION[0], f"date={HELD_PARTITION[1]}", "part.parquet")
        pid, exit_status = kill_held_run(emulator, domains, root, hold_at)
        held_temp = Path(marker.read_text().strip())
        held_rows = sorted(canonical_rows(pq.read_table(held_temp)))

        after_kill = partition_versions(harness.lake)
        temps_after_kill = temp_files(data_dir)
        published_counts = {
            table: sum(harness.lake.read_partition(table, day).num_rows for day in DAYS) for table in MEETING_TABLES
        }
        with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
            duckdb_counts = {
                table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in MEETING_TABLES
            }
        harness.run(FIRST, LAST)
    return KilledRun(exit_status, pid, held_temp, held_rows, before, after_kill, wanted, temps_after_kill,
                     duckdb_counts, published_counts, harness, fresh)


def test_run_was_killed_holding_a_complete_unpublished_partition(killed_run):
    assert killed_run.exit_status == -signal.SIGKILL
    assert killed_run.held_temp in killed_run.temps_after_kill
    assert all(f".{killed_run.pid}." in path.name for path in killed_run.temps_after_kill)
    assert killed_run.held_rows == killed_run.wanted[HELD_PARTITION]


def test_partition_being_published_at_the_kill_still_holds_its_previous_version(killed_run):
    assert killed_run.before[HELD_PARTITION] != killed_run.wanted[HELD_PARTITION]
    assert killed_run.after_kill[HELD_PARTITION] == killed_run.before[HELD_PARTITION]


def test_every_partition_after_the_kill_is_wholly_its_previous_or_its_new_version(killed_run):
    replaced = [key for key, rows in killed_run.after_kill.items() if rows == killed_run.wanted[key] != killed_run.before[key]]
    untouched_or_replaced = [
        key for key, rows in killed_run.after_kill.items() if rows in (killed_run.before[key], killed_run.wanted[key])
    ]
    assert replaced, "the kill came before any partition was replaced"
    assert sorted(untouched_or_replaced) == sorted(killed_run.after_kill)


def test_duckdb_reads_only_published_files_while_a_temp_file_sits_beside_them(killed_run):
    assert killed_run.temps_after_kill, "no unpublished file was present for DuckDB to ignore"
    assert killed_run.duckdb_counts == killed_run.published_counts


def test_rerun_after_the_kill_equals_a_fault_free_run(killed_run):
    rerun, fresh = killed_run.rerun, killed_run.fresh
    assert lake_contents(rerun.lake) == lake_contents(fresh.lake)
    assert raw_contents(rerun.lakehouse.raw) == raw_contents(fresh.lakehouse.raw)
    assert warehouse_contents(rerun.warehouse_path) == warehouse_contents(fresh.warehouse_path)


def test_rerun_removes_the_killed_writers_temp_file(killed_run):
    assert temp_files(killed_run.rerun.data_dir) == []


def test_day_index_after_the_rerun_agrees_with_one_rebuilt_from_the_files(killed_run):
    lake = killed_run.rerun.lake
    kept, problem = load_day_index(lake)
    os.unlink(f"{lake.root}/{INDEX_TABLE}/snapshot.parquet")

    assert problem is None
    assert kept == refresh_day_index(lake).entries


@dataclass(frozen=True)
class KilledAtIndex:
    exit_status: int
    wanted: dict[tuple[str, str], list[str]]
    after_kill: dict[tuple[str, str], list[str]]
    index: DayIndex
    rebuilt: dict


@pytest.fixture(scope="module")
def killed_at_index(reliability_emulator, baseline, tmp_path_factory) -> KilledAtIndex:
    """A run killed just before it publishes the day index, after every day's tables were replaced."""
    root = tmp_path_factory.mktemp("killed-at-index")
    data_dir = root / "data"
    with restored(reliability_emulator) as emulator:
        domains = emulator.admin.snapshot()["internal_domains"]
        harness = previous_run(baseline, PipelineHarness(emulator, data_dir))
        refresh_day_index(harness.lake)
        event = exposed_events(emulator.admin.snapshot(), FIRST, FIRST, "UTC")[0]
        emulator.admin.reschedule_event(event["id"], datetime.fromisoformat(f"{DAYS[2]}T15:00:00+00:00"))
        fresh = PipelineHarness(emulator, root / "fresh")
        fresh.run(FIRST, LAST)
        _, exit_status = kill_held_run(emulator, domains, root, os.path.join(INDEX_TABLE, "snapshot.parquet"))
        after_kill = partition_versions(harness.lake)
        index = refresh_day_index(harness.lake)
        os.unlink(f"{harness.lake.root}/{INDEX_TABLE}/snapshot.parquet")
        rebuilt = refresh_day_index(harness.lake).entries
    return KilledAtIndex(exit_status, partition_versions(fresh.lake), after_kill, index, rebuilt)


def test_run_killed_before_publishing_the_day_index_had_replaced_the_moved_meetings_days(killed_at_index):
    assert killed_at_index.exit_status == -signal.SIGKILL
    assert killed_at_index.after_kill == killed_at_index.wanted


def test_day_index_left_by_a_run_killed_before_its_publish_is_corrected_from_the_files(killed_at_index):
    index = killed_at_index.index
    assert set(DAYS[0::2]) <= set(index.read_days)
    assert index.entries == killed_at_index.rebuilt
    assert not any(index.cross_day_duplicates().values())
