"""A write the disk refuses names the file and the cause, removes its own temp file and keeps the previous file whole."""

from __future__ import annotations

import os
import subprocess
import uuid

import pyarrow as pa
import pytest
from lake_support import summary_fields

from relate_pipeline.integrity import StorageError
from relate_pipeline.lake import Lake

DAY = "2026-05-16"


def noise(rows: int) -> pa.Table:
    """A summary_fields batch of random values, which no compression shrinks."""
    return pa.table({
        "recording_id": [f"r{i}" for i in range(rows)],
        "field_name": ["sentiment"] * rows,
        "value_json": [f'"{os.urandom(16).hex()}"' for _ in range(rows)],
    })


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs, unmounted afterwards; skipped where mounting is not allowed."""
    path = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)], capture_output=True).returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    yield path
    subprocess.run(["umount", str(path)], check=True)


def test_a_full_disk_fails_the_write_naming_the_file_and_the_cause_and_leaves_no_temp_file(small_disk):
    lake = Lake(str(small_disk / "lake"))
    lake.write_partition("summary_fields", DAY, summary_fields(10, tag="old"))
    big = (noise(20_000) for _ in range(10))

    with pytest.raises(StorageError) as refused:
        lake.write_partition("summary_fields", DAY, big)

    path = lake.file_url("summary_fields", DAY)
    assert str(refused.value) == f"could not write {path}: No space left on device"
    assert sorted(os.listdir(os.path.dirname(path))) == ["part.parquet"]
    assert lake.read_partition("summary_fields", DAY).column("value_json").to_pylist()[:2] == ['"old0"', '"old1"']
    assert lake.verify("summary_fields", DAY, deep=True) is None



def test_a_file_whose_write_was_refused_says_why_again_when_published(small_disk):
    lake = Lake(str(small_disk / "lake"))
    file = lake.open_partition("summary_fields", DAY)
    with pytest.raises(StorageError) as refused:
        for _ in range(10):
            file.write(noise(20_000))

    with pytest.raises(StorageError) as again:
        file.publish()

    assert str(again.value) == str(refused.value)
    assert os.listdir(os.path.dirname(lake.file_url("summary_fields", DAY))) == []
