from __future__ import annotations

import pyarrow.parquet as pq
from lake_support import summary_fields

from relate_pipeline.lake import Lake


def _encodings(path: str) -> dict[str, tuple[str, ...]]:
    group = pq.ParquetFile(path).metadata.row_group(0)
    return {group.column(i).path_in_schema: group.column(i).encodings for i in range(group.num_columns)}


def test_key_string_columns_get_dictionary_pages_and_free_text_does_not(tmp_path):
    result = Lake(str(tmp_path)).write_partition("summary_fields", "2026-05-16", summary_fields(50))
    encodings = _encodings(result.path)
    assert any("DICTIONARY" in encoding for encoding in encodings["recording_id"])
    assert not any("DICTIONARY" in encoding for encoding in encodings["value_json"])
