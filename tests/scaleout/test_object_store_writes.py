"""The lake on S3 (moto's server): every object appears whole with one PUT, or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from relate_pipeline.flatten import flatten_crm
from relate_pipeline.lake import Lake
from tests.lake.lake_support import summary_fields
from tests.scaleout.conftest import object_keys

DAY = "2026-05-16"
ROOT = Path(__file__).resolve().parents[2]

# Writes one batch of a partition to the S3 lake, reports it, then blocks (inside the write) until killed.
KILLED_WRITER = textwrap.dedent("""
    import sys
    from tests.lake.lake_support import summary_fields
    from relate_pipeline.lake import Lake

    def batches():
        yield summary_fields(500, tag="new")
        print("first batch written", flush=True)
        sys.stdin.readline()
        yield summary_fields(500, tag="late")

    Lake(sys.argv[1]).write_partition("summary_fields", "2026-05-16", batches())
""")


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
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, root],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, **s3_env, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout.readline().strip() == "first batch written", child.stderr.read()
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        for stream in (child.stdin, child.stdout, child.stderr):
            stream.close()
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
