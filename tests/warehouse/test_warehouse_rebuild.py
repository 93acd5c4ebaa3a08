from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import duckdb
import pytest
from warehouse_samples import INTERNAL_DOMAINS, write_sample_lake

from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.warehouse.build import build_warehouse

pytestmark = pytest.mark.slow

# An analyst session: opens the warehouse read-only, then runs each query it reads from stdin.
ANALYST = textwrap.dedent(
    """
    import sys, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    for query in sys.stdin:
        print(connection.execute(query).fetchone()[0], flush=True)
    """
)
EVENTS = "SELECT count(*) FROM calendar_events"
DOMAINS = "SELECT string_agg(domain, ',' ORDER BY domain) FROM internal_domains"


def ask(analyst: subprocess.Popen, query: str) -> str:
    analyst.stdin.write(query + "\n")
    analyst.stdin.flush()
    return analyst.stdout.readline().strip()


@pytest.fixture
def sample(tmp_path):
    lake = write_sample_lake(str(tmp_path / "lake"))
    db_path = tmp_path / "warehouse.duckdb"
    build_warehouse(db_path, lake, INTERNAL_DOMAINS)
    return lake, db_path


@pytest.fixture
def analyst(sample):
    _, db_path = sample
    process = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    yield process
    process.stdin.close()
    process.wait(timeout=30)
    process.stdout.close()


def add_event_day(lake) -> None:
    event = {"id": "E9", "start_at": "2026-05-18T09:00:00Z", "attendees": [], "recordings": []}
    for name, table in flatten_events([event]).items():
        lake.write_partition(name, "2026-05-18", table)


def test_rebuild_succeeds_while_an_analyst_holds_the_file_read_only(sample, analyst):
    lake, db_path = sample
    assert ask(analyst, EVENTS) == "3"
    add_event_day(lake)
    counts = build_warehouse(db_path, lake, INTERNAL_DOMAINS)
    assert counts["calendar_events"] == 4


def test_analyst_connection_keeps_answering_from_the_old_file_after_rebuild(sample, analyst):
    lake, db_path = sample
    assert ask(analyst, DOMAINS) == "relate.so"
    add_event_day(lake)
    build_warehouse(db_path, lake, ["relate.so", "relate.kr"])
    assert ask(analyst, DOMAINS) == "relate.so"
    assert ask(analyst, EVENTS) == "4"
    with duckdb.connect(str(db_path), read_only=True) as fresh:
        assert fresh.execute(DOMAINS).fetchone() == ("relate.kr,relate.so",)


def test_rebuild_leaves_no_temporary_files_beside_the_database(sample):
    lake, db_path = sample
    build_warehouse(db_path, lake, INTERNAL_DOMAINS)
    assert sorted(os.listdir(db_path.parent)) == ["lake", "warehouse.duckdb"]


def test_failed_rebuild_keeps_the_previous_database(sample):
    lake, db_path = sample
    corrupt = db_path.parent / "lake" / "recordings" / "date=2026-05-18"
    corrupt.mkdir()
    (corrupt / "part.parquet").write_bytes(b"not parquet")
    before = db_path.stat()
    with pytest.raises(duckdb.Error):
        build_warehouse(db_path, lake, ["other.example"])
    assert sorted(os.listdir(db_path.parent)) == ["lake", "warehouse.duckdb"]
    assert (db_path.stat().st_ino, db_path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    with duckdb.connect(str(db_path), read_only=True) as previous:
        assert previous.execute(DOMAINS).fetchone() == ("relate.so",)
