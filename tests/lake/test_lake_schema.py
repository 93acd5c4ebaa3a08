from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lake_support import summary_fields

from relate_pipeline.lake import Lake
from relate_pipeline.tables import TABLES


def test_compatible_types_are_cast_to_the_spec_schema(tmp_path):
    lake = Lake(str(tmp_path))
    table = pa.table(
        {
            "recording_id": pa.array(["r1"], pa.large_string()),
            "topic_index": pa.array([3], pa.int64()),
            "title": ["t"],
            "content": pa.array([None], pa.null()),
        }
    )
    lake.write_partition("recording_topics", "2026-05-16", table)
    stored = lake.read_partition("recording_topics", "2026-05-16")
    assert stored.schema.equals(TABLES["recording_topics"].schema)
    assert stored.to_pylist() == [{"recording_id": "r1", "topic_index": 3, "title": "t", "content": None}]


def test_uncastable_column_is_rejected_naming_it(tmp_path):
    table = summary_fields(1).set_column(2, "value_json", pa.array([[1, 2]]))
    with pytest.raises(ValueError, match="column 'value_json' has type list<item: int64>"):
        Lake(str(tmp_path)).write_partition("summary_fields", "2026-05-16", table)


def test_missing_column_is_rejected_naming_it(tmp_path):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['value_json'\]"):
        Lake(str(tmp_path)).write_partition("summary_fields", "2026-05-16", summary_fields(1).drop(["value_json"]))


def test_unexpected_column_is_rejected_naming_it(tmp_path):
    table = summary_fields(1).append_column("date", pa.array(["2026-05-16"]))
    with pytest.raises(ValueError, match=r"unexpected column\(s\) \['date'\]"):
        Lake(str(tmp_path)).write_partition("summary_fields", "2026-05-16", table)


def test_null_key_is_rejected_naming_the_column(tmp_path):
    table = summary_fields(2).set_column(0, "recording_id", pa.array(["r1", None]))
    with pytest.raises(ValueError, match="key column 'recording_id' has 1 null value"):
        Lake(str(tmp_path)).write_partition("summary_fields", "2026-05-16", table)


def test_batches_stream_into_one_zstd_file(tmp_path):
    lake = Lake(str(tmp_path))
    result = lake.write_partition("summary_fields", "2026-05-16", (summary_fields(3, tag=str(i)) for i in range(4)))
    metadata = pq.ParquetFile(result.path).metadata
    assert (result.rows, metadata.num_rows, metadata.num_row_groups) == (12, 12, 4)
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_field_descriptions_are_stored_with_the_file(tmp_path):
    result = Lake(str(tmp_path)).write_partition("summary_fields", "2026-05-16", summary_fields(1))
    field = pq.read_schema(result.path).field("value_json")
    assert field.metadata[b"description"] == TABLES["summary_fields"].schema.field("value_json").metadata[b"description"]
