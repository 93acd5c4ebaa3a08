from __future__ import annotations

import uuid

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.lake import Lake
from relate_pipeline.tables import TABLES, WAREHOUSE_TABLES
from relate_pipeline.warehouse.build import build_warehouse, open_warehouse


def columns(db, view: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in db.execute(f"DESCRIBE {view}").fetchall()]


def test_every_lake_table_is_counted(built):
    _, counts = built
    assert set(counts) == set(WAREHOUSE_TABLES)
    assert (counts["calendar_events"], counts["event_attendees"], counts["recordings"]) == (3, 8, 3)


def test_partitioned_views_expose_the_hive_date_as_a_date(db):
    rows = db.execute("SELECT event_id, date FROM calendar_events ORDER BY event_id").fetchall()
    assert [(e, d.isoformat()) for e, d in rows] == [("E1", "2026-05-16"), ("E2", "2026-05-17"), ("E3", "2026-05-17")]
    assert columns(db, "calendar_events")[-1] == ("date", "DATE")


def test_view_columns_follow_the_spec_order_and_types(db):
    described = columns(db, "event_attendees")
    assert [name for name, _ in described] == [*TABLES["event_attendees"].schema.names, "date"]
    assert dict(columns(db, "calendar_events"))["start_at"] == "TIMESTAMP WITH TIME ZONE"
    assert dict(columns(db, "contacts"))["phone_numbers"] == "VARCHAR[]"


def test_table_without_files_gets_a_typed_empty_view(db):
    assert db.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    assert dict(columns(db, "notes"))["created_at"] == "TIMESTAMP WITH TIME ZONE"
    assert dict(columns(db, "missing_recordings"))["date"] == "DATE"


def test_internal_domains_are_stored_lower_cased(db):
    assert db.execute("SELECT domain FROM internal_domains").fetchall() == [("relate.so",)]


def test_views_read_the_lake_by_absolute_path(built, db):
    db_path, _ = built
    (sql,) = db.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'recordings'").fetchone()
    assert f"'{db_path.parent / 'lake' / 'recordings'}/date=*/part.parquet'" in sql


def test_column_missing_from_older_files_reads_as_null(tmp_path):
    partition = tmp_path / "lake" / "summary_fields" / "date=2026-05-16"
    partition.mkdir(parents=True)
    older_schema = TABLES["summary_fields"].schema.remove(2)
    pq.write_table(pa.table({"recording_id": ["r1"], "field_name": ["f"]}, schema=older_schema), partition / "part.parquet")
    build_warehouse(tmp_path / "w.duckdb", Lake(str(tmp_path / "lake")))
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as db:
        assert db.execute("SELECT recording_id, value_json FROM summary_fields").fetchall() == [("r1", None)]


@pytest.mark.parametrize("domains", [["ok.com", ""], ["a@b.com"], [3], "relate.so"])
def test_malformed_internal_domains_are_rejected(tmp_path, domains):
    with pytest.raises(ValueError, match="internal"):
        build_warehouse(tmp_path / "w.duckdb", Lake(str(tmp_path / "lake")), domains)
    assert not (tmp_path / "w.duckdb").exists()


def test_a_lake_on_an_fsspec_filesystem_is_read_through_the_registered_filesystem(tmp_path):
    lake = Lake(f"memory://warehouse-{uuid.uuid4().hex}")
    lake.write_snapshot("notes", flatten_crm("notes", [{"id": "n1"}, {"id": "n2"}])["notes"])
    counts = build_warehouse(tmp_path / "w.duckdb", lake)
    with open_warehouse(tmp_path / "w.duckdb", lake) as connection:
        rows = connection.execute("SELECT note_id FROM notes ORDER BY note_id").fetchall()
    assert (counts["notes"], rows) == (2, [("n1",), ("n2",)])


def test_analysts_get_a_pandas_dataframe_from_any_view(db):
    analyst = db.cursor()
    meetings = analyst.sql("SELECT event_id FROM meetings ORDER BY event_id").df()
    (count,) = analyst.execute("SELECT count(*) FROM meetings").fetchone()
    assert list(meetings.columns) == ["event_id"] and len(meetings) == count > 0
