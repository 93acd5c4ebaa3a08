"""A lake file damaged after it was written is named when read, never a pyarrow traceback."""

from __future__ import annotations

import pytest
from lake_support import summary_fields

from relate_pipeline.integrity import DamagedFile
from relate_pipeline.lake import MISSING, Lake
from relate_pipeline.tables import empty_table
from tests.storage.damage import damage_file

DAY = "2026-05-16"
READABLE_KINDS = ("truncated", "zero_bytes", "garbage", "wrong_schema")


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, summary_fields(50))
    lake.write_snapshot("contacts", empty_table("contacts"))
    return lake


@pytest.mark.parametrize("kind", READABLE_KINDS)
def test_reading_a_damaged_partition_raises_damaged_file_naming_it(lake, kind):
    path = lake.file_url("summary_fields", DAY)
    damage_file(path, kind)

    with pytest.raises(DamagedFile) as whole:
        lake.read_partition("summary_fields", DAY)
    with pytest.raises(DamagedFile) as batches:
        list(lake.iter_partition("summary_fields", DAY, 10))

    for error in (whole.value, batches.value):
        assert error.path == path and str(error).startswith(f"{path} is damaged: ")
        assert "\n" not in str(error)


@pytest.mark.parametrize("kind", READABLE_KINDS)
def test_reading_a_damaged_snapshot_raises_damaged_file_naming_it(lake, kind):
    path = lake.file_url("contacts")
    damage_file(path, kind)

    with pytest.raises(DamagedFile, match="is damaged: ") as error:
        lake.read_snapshot("contacts")

    assert error.value.path == path


def test_a_file_of_another_table_is_damaged_by_its_schema(lake):
    damage_file(lake.file_url("summary_fields", DAY), "wrong_schema")

    assert lake.verify("summary_fields", DAY).startswith("its columns are ['unrelated', 'count']")


def test_verify_says_missing_for_a_deleted_file_and_nothing_for_a_sound_one(lake):
    assert lake.verify("summary_fields", DAY) is None
    damage_file(lake.file_url("summary_fields", DAY), "deleted")

    assert lake.verify("summary_fields", DAY) == MISSING
    assert lake.read_partition("summary_fields", DAY) is None


def test_only_a_deep_verify_finds_a_page_damaged_inside_a_file(tmp_path):
    lake = Lake(str(tmp_path))
    lake.write_partition("summary_fields", DAY, (summary_fields(2000, tag=f"{i}-" + "x" * 50) for i in range(3)))
    path = lake.file_url("summary_fields", DAY)
    content = bytearray(open(path, "rb").read())
    middle = len(content) // 3
    content[middle:middle + 64] = bytes(64)
    open(path, "wb").write(bytes(content))

    assert lake.verify("summary_fields", DAY) is None
    assert lake.verify("summary_fields", DAY, deep=True) is not None
    with pytest.raises(DamagedFile):
        lake.read_partition("summary_fields", DAY)
