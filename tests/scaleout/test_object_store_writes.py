"""The lake on S3 (moto's server): every object appears whole with one PUT, or not at all."""

from __future__ import annotations

import pytest

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.lake import Lake
from tests.lake.lake_support import kill_held_writer, start_held_writer, summary_fields
from tests.scaleout.conftest import object_keys

DAY = "2026-05-16"


def test_a_partition_and_a_snapshot_land_as_exactly_their_final_objects(bucket):
    lake = Lake(f"s3://{bucket}/prefix/lake")
    lake.write_partition("summary_fields", DAY, summary_fields(3, tag="a"))
    lake.write_partition("summary_fields", DAY, summary_fields(2, tag="b"))
    lake.write_snapshot("notes", flatten_crm("notes", [{"id": "n1"}])["notes"])
    assert object_keys(bucket) == [
        "prefix/lake/notes/snapshot.parquet",
        f"prefix/lake/summary_fields/date={DAY}/part.parquet",
    ]
    assert lake.read_partition("summary_fields", DAY).column("value_json").to_pylist() == ['"b0"', '"b1"']
    assert lake.partitions("summary_fields") == [DAY]


def test_a_writer_killed_mid_write_leaves_the_previous_object_and_nothing_else(bucket, s3_env):
    root = f"s3://{bucket}/lake"
    lake = Lake(root)
    lake.write_partition("summary_fields", DAY, summary_fields(3, tag="old"))
    kill_held_writer(start_held_writer(root, DAY))
    assert object_keys(bucket) == [f"lake/summary_fields/date={DAY}/part.parquet"]
    assert lake.read_partition("summary_fields", DAY).column("value_json").to_pylist() == ['"old0"', '"old1"', '"old2"']


def test_a_failing_batch_source_keeps_the_previous_object_and_uploads_nothing(bucket):
    lake = Lake(f"s3://{bucket}/lake")
    lake.write_partition("summary_fields", DAY, summary_fields(3, tag="old"))

    def batches():
        yield summary_fields(5, tag="new")
        raise RuntimeError("upstream failed")

    with pytest.raises(RuntimeError, match="upstream failed"):
        lake.write_partition("summary_fields", DAY, batches())
    assert object_keys(bucket) == [f"lake/summary_fields/date={DAY}/part.parquet"]
    assert lake.read_partition("summary_fields", DAY).num_rows == 3
