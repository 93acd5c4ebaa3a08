from __future__ import annotations

import uuid

import fsspec
import pytest
from lake_support import summary_fields

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.lake import Lake


@pytest.fixture
def memory_lake():
    root = f"memory://lake-{uuid.uuid4().hex}"
    yield Lake(root)
    fsspec.filesystem("memory").rm(root.removeprefix("memory://"), recursive=True)


def test_memory_root_round_trips_a_partition(memory_lake):
    memory_lake.write_partition("summary_fields", "2026-05-16", summary_fields(4))
    assert memory_lake.read_partition("summary_fields", "2026-05-16").equals(summary_fields(4).cast(
        memory_lake.read_partition("summary_fields", "2026-05-16").schema
    ))


def test_memory_root_leaves_only_the_published_file(memory_lake):
    memory_lake.write_partition("summary_fields", "2026-05-16", summary_fields(1))
    memory_lake.write_partition("summary_fields", "2026-05-16", summary_fields(2))
    table_dir = memory_lake.root.removeprefix("memory://") + "/summary_fields/date=2026-05-16"
    entries = fsspec.filesystem("memory").ls(table_dir, detail=False)
    assert [entry.rsplit("/", 1)[-1] for entry in entries] == ["part.parquet"]


def test_memory_root_paths_and_globs_are_urls(memory_lake):
    result = memory_lake.write_partition("summary_fields", "2026-05-16", summary_fields(1))
    assert memory_lake.root.startswith("memory://")
    assert result.path == f"{memory_lake.root}/summary_fields/date=2026-05-16/part.parquet"
    assert memory_lake.parquet_glob("summary_fields") == f"{memory_lake.root}/summary_fields/date=*/part.parquet"


def test_memory_root_snapshot_is_replaced_whole(memory_lake):
    memory_lake.write_snapshot("notes", flatten_crm("notes", [{"id": "n1"}, {"id": "n2"}])["notes"])
    memory_lake.write_snapshot("notes", flatten_crm("notes", [{"id": "n3"}])["notes"])
    assert memory_lake.read_snapshot("notes").column("note_id").to_pylist() == ["n3"]
