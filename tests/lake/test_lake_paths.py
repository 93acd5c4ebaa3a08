from __future__ import annotations

import pytest
from lake_support import summary_fields

from relate_pipeline.lake import Lake
from relate_pipeline.tables import empty_table


@pytest.mark.parametrize("table", ["../etc", "calendar_events/../x", "nope", ""])
def test_unknown_table_name_is_rejected_before_touching_paths(tmp_path, table):
    with pytest.raises(ValueError, match="unknown table"):
        Lake(str(tmp_path)).write_partition(table, "2026-05-16", summary_fields(1))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("date", ["2026-5-16", "2026-05-16/../x", "20260516", "2026-02-30", "../2026-05-16", None])
def test_malformed_partition_date_is_rejected_naming_it(tmp_path, date):
    with pytest.raises(ValueError, match="partition date"):
        Lake(str(tmp_path)).write_partition("summary_fields", date, summary_fields(1))
    assert list(tmp_path.iterdir()) == []


def test_snapshot_table_cannot_be_written_as_a_partition(tmp_path):
    with pytest.raises(ValueError, match="'contacts' is not partitioned"):
        Lake(str(tmp_path)).write_partition("contacts", "2026-05-16", empty_table("contacts"))


def test_partitioned_table_cannot_be_written_as_a_snapshot(tmp_path):
    with pytest.raises(ValueError, match="'recordings' is partitioned by date"):
        Lake(str(tmp_path)).write_snapshot("recordings", empty_table("recordings"))


def test_partition_lands_in_a_hive_directory_under_the_table(tmp_path):
    result = Lake(str(tmp_path)).write_partition("summary_fields", "2026-05-16", summary_fields(2))
    assert result.path == str(tmp_path / "summary_fields" / "date=2026-05-16" / "part.parquet")
    assert (result.rows, result.bytes) == (2, (tmp_path / "summary_fields" / "date=2026-05-16" / "part.parquet").stat().st_size)


def test_parquet_glob_is_absolute_even_for_a_relative_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lake = Lake("lake")
    assert lake.parquet_glob("recordings") == f"{tmp_path}/lake/recordings/date=*/part.parquet"
    assert lake.parquet_glob("contacts") == f"{tmp_path}/lake/contacts/snapshot.parquet"


def test_partitions_are_listed_oldest_first(tmp_path):
    lake = Lake(str(tmp_path))
    for date in ("2026-05-17", "2026-05-15", "2026-05-16"):
        lake.write_partition("summary_fields", date, summary_fields(1))
    assert lake.partitions("summary_fields") == ["2026-05-15", "2026-05-16", "2026-05-17"]


def test_missing_partition_and_snapshot_read_as_none(tmp_path):
    lake = Lake(str(tmp_path))
    assert lake.read_partition("summary_fields", "2026-05-16") is None
    assert lake.read_snapshot("contacts") is None
    assert lake.partitions("summary_fields") == []
