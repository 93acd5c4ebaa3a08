"""What the warehouse's views read: the lake's files at query time, for tables that had files at build time."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
from warehouse_samples import INTERNAL_DOMAINS, write_sample_lake

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.day_index import refresh_day_index
from relate_pipeline.tables import empty_table
from relate_pipeline.warehouse.build import build_warehouse, refresh_warehouse


def _count(db_path, table: str) -> int:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_day_rewritten_after_the_build_is_read_without_a_rebuild(tmp_path):
    lake = write_sample_lake(str(tmp_path / "lake"))
    db_path = tmp_path / "warehouse.duckdb"
    build_warehouse(db_path, lake, INTERNAL_DOMAINS)
    day = lake.partitions("calendar_events")[0]
    before, on_day = _count(db_path, "calendar_events"), lake.read_partition("calendar_events", day).num_rows
    assert on_day > 0

    lake.write_partition("calendar_events", day, empty_table("calendar_events"))

    assert _count(db_path, "calendar_events") == before - on_day


def test_a_table_with_no_file_at_build_time_stays_an_empty_view_until_the_next_build(tmp_path):
    lake = write_sample_lake(str(tmp_path / "lake"))
    db_path = tmp_path / "warehouse.duckdb"
    build_warehouse(db_path, lake, INTERNAL_DOMAINS)
    assert _count(db_path, "notes") == 0
    note = {"id": "n1", "organization_id": "o1", "body": "hello", "created_at": "2026-05-18T00:00:00Z",
            "updated_at": "2026-05-18T00:00:00Z"}
    lake.write_snapshot("notes", flatten_crm("notes", [note])["notes"])

    assert _count(db_path, "notes") == 0
    build_warehouse(db_path, lake, INTERNAL_DOMAINS)
    assert _count(db_path, "notes") == 1


def _view_sql(db_path, view: str) -> str:
    with duckdb.connect(str(db_path), read_only=True) as connection:
        return connection.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?", [view]).fetchone()[0]


def test_with_the_day_index_a_build_opens_no_meeting_file_and_counts_the_same_rows(tmp_path):
    lake = write_sample_lake(str(tmp_path / "lake"))
    without, with_index = tmp_path / "plain.duckdb", tmp_path / "indexed.duckdb"
    rows = build_warehouse(without, lake, INTERNAL_DOMAINS)

    build = refresh_warehouse(with_index, lake, INTERNAL_DOMAINS, day_index=refresh_day_index(lake))

    assert build.rows == rows
    assert "union_by_name" not in _view_sql(with_index, "calendar_events")
    assert _count(with_index, "meetings") == _count(without, "meetings")


def test_a_day_written_before_a_column_existed_reads_it_as_null_through_the_day_index(tmp_path):
    lake = write_sample_lake(str(tmp_path / "lake"))
    day = lake.partitions("recordings")[0]
    older = lake.read_partition("recordings", day).drop_columns(["detected_language"])
    pq.write_table(older, f"{lake.root}/recordings/date={day}/part.parquet")
    db_path = tmp_path / "warehouse.duckdb"

    refresh_warehouse(db_path, lake, INTERNAL_DOMAINS, day_index=refresh_day_index(lake))

    with duckdb.connect(str(db_path), read_only=True) as connection:
        languages = connection.execute(
            "SELECT date::VARCHAR = ?, count(detected_language) > 0 FROM recordings GROUP BY ALL ORDER BY ALL", [day]
        ).fetchall()
    assert "union_by_name" in _view_sql(db_path, "recordings")
    assert (True, False) in languages
