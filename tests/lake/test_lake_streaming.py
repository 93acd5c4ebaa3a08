from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from lake_support import summary_fields

from relate_pipeline.lake import Lake

DAY = "2026-05-16"


def test_open_partition_publishes_each_write_as_a_row_group(tmp_path):
    lake = Lake(str(tmp_path))
    with lake.open_partition("summary_fields", DAY) as file:
        for tag in ("a", "b", "c"):
            file.write(summary_fields(2, tag=tag))
    metadata = pq.ParquetFile(file.result.path).metadata
    assert (file.result.rows, metadata.num_rows, metadata.num_row_groups) == (6, 6, 3)


def test_open_partition_is_invisible_until_published(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(1, tag="old"))
    file = lake.open_partition("summary_fields", DAY)
    file.write(summary_fields(5, tag="new"))
    assert lake.read_partition("summary_fields", DAY).column("value_json").to_pylist() == ['"old0"']
    file.publish()
    assert lake.read_partition("summary_fields", DAY).num_rows == 5


def test_open_partition_left_by_an_exception_keeps_the_previous_partition(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(1, tag="old"))
    with pytest.raises(RuntimeError, match="fan-out failed"):
        with lake.open_partition("summary_fields", DAY) as file:
            file.write(summary_fields(3, tag="new"))
            raise RuntimeError("fan-out failed")
    assert lake.read_partition("summary_fields", DAY).column("value_json").to_pylist() == ['"old0"']
    assert [p.name for p in (tmp_path / "summary_fields" / f"date={DAY}").iterdir()] == ["part.parquet"]


def test_open_partition_without_writes_publishes_an_empty_file(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(2))
    with lake.open_partition("summary_fields", DAY):
        pass
    assert lake.read_partition("summary_fields", DAY).num_rows == 0


def test_write_after_publish_is_refused(tmp_path):
    file = Lake(str(tmp_path)).open_partition("summary_fields", DAY)
    file.publish()
    with pytest.raises(RuntimeError, match="already published"):
        file.write(summary_fields(1))


def test_iter_partition_yields_batches_no_larger_than_asked(tmp_path):
    lake = Lake(str(tmp_path))
    with lake.open_partition("summary_fields", DAY) as file:
        for tag in ("a", "b", "c"):
            file.write(summary_fields(4, tag=tag))
    sizes = [batch.num_rows for batch in lake.iter_partition("summary_fields", DAY, batch_rows=3)]
    assert sum(sizes) == 12 and max(sizes) <= 3


def test_iter_partition_reads_only_the_named_columns(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(2))
    (batch,) = lake.iter_partition("summary_fields", DAY, batch_rows=10, columns=["recording_id"])
    assert batch.column_names == ["recording_id"]


def test_iter_partition_of_an_unwritten_day_yields_nothing(tmp_path):
    assert list(Lake(str(tmp_path)).iter_partition("summary_fields", DAY, batch_rows=10)) == []


def test_iter_partition_of_a_day_written_empty_yields_nothing(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(0))
    assert list(lake.iter_partition("summary_fields", DAY, batch_rows=10)) == []


def test_iter_partition_rejects_a_batch_size_below_one(tmp_path):
    with pytest.raises(ValueError, match="batch_rows must be a positive integer, got 0"):
        list(Lake(str(tmp_path)).iter_partition("summary_fields", DAY, batch_rows=0))
