"""The day index: which day holds each event and recording id, refreshed from the lake's files, never trusted blindly."""

from __future__ import annotations

import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from relate_pipeline.day_index import INDEX_TABLE, load_day_index, refresh_day_index, refresh_raw_index
from relate_pipeline.lake import Lake
from relate_pipeline.tables import MEETING_TABLES, spec

DAY_ONE, DAY_TWO, DAY_THREE = "2026-03-02", "2026-03-03", "2026-03-04"


def rows(table: str, ids: list[str]) -> pa.Table:
    """A table of the given ids in its first key column, every other column null but the key's."""
    table_spec = spec(table)
    columns = {}
    for field in table_spec.schema:
        if field.name == table_spec.key[0]:
            columns[field.name] = pa.array(ids, type=field.type)
        elif field.name in table_spec.key:
            columns[field.name] = pa.array(["k" if pa.types.is_string(field.type) else 0] * len(ids), type=field.type)
        else:
            columns[field.name] = pa.nulls(len(ids), type=field.type)
    return pa.table(columns)


def write_day(lake: Lake, day: str, events: list[str], recordings: list[str]) -> None:
    """One day of every meeting table, as a flatten writes it: events and their recordings."""
    for table in MEETING_TABLES:
        if table == "deleted_events":
            ids: list[str] = []
        elif spec(table).key[0] == "event_id":
            ids = events
        else:
            ids = recordings
        lake.write_partition(table, day, rows(table, ids))


def remove_day(lake: Lake, day: str) -> None:
    for table in MEETING_TABLES:
        shutil.rmtree(f"{lake.root}/{table}/date={day}")


def index_file(lake: Lake) -> str:
    return f"{lake.root}/{INDEX_TABLE}/snapshot.parquet"


def rebuilt_from_scratch(lake: Lake) -> dict:
    """What an index built from nothing over the same files holds (its identities included)."""
    os.unlink(index_file(lake))
    return refresh_day_index(lake).entries


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(str(tmp_path / "lake"))
    write_day(lake, DAY_ONE, ["e1", "e2"], ["r1", "r2"])
    write_day(lake, DAY_TWO, ["e3"], ["r3"])
    return lake


def test_a_missing_index_is_rebuilt_from_the_files_and_says_so(lake):
    index = refresh_day_index(lake)

    assert index.rebuilt == "missing"
    assert index.read_days == [DAY_ONE, DAY_TWO]
    assert index.rows("calendar_events") == 3 and index.rows("recordings", DAY_TWO, DAY_TWO) == 1
    assert index.cross_day_duplicates() == {"calendar_events": 0, "recordings": 0, "deleted_events": 0}
    assert os.path.isfile(index_file(lake))


def test_an_unchanged_lake_reads_no_day_and_leaves_the_index_file_alone(lake):
    refresh_day_index(lake)
    before = os.stat(index_file(lake))

    index = refresh_day_index(lake)

    assert index.rebuilt is None and index.read_days == [] and index.dropped_days == []
    assert os.stat(index_file(lake)).st_ino == before.st_ino


def test_a_meeting_moved_between_days_is_read_again_on_both_days_only(lake):
    refresh_day_index(lake)
    write_day(lake, DAY_THREE, ["e4"], ["r4"])
    refresh_day_index(lake)
    write_day(lake, DAY_ONE, ["e1"], ["r1"])
    write_day(lake, DAY_TWO, ["e3", "e2"], ["r3", "r2"])

    index = refresh_day_index(lake)

    assert index.read_days == [DAY_ONE, DAY_TWO]
    assert index.repeated_ids("calendar_events") == {} and index.repeated_ids("recordings") == {}
    assert index.rows("calendar_events", DAY_TWO, DAY_TWO) == 2


def test_a_day_still_holding_a_moved_copy_counts_its_rows_as_duplicates(lake):
    refresh_day_index(lake)
    write_day(lake, DAY_TWO, ["e3", "e2"], ["r3", "r2"])

    index = refresh_day_index(lake)

    assert index.repeated_ids("calendar_events") == {"e2": [DAY_ONE, DAY_TWO]}
    assert index.cross_day_duplicates() == {"calendar_events": 1, "recordings": 1, "deleted_events": 0}


def test_a_deleted_meeting_and_a_removed_day_leave_the_index(lake):
    refresh_day_index(lake)
    write_day(lake, DAY_ONE, ["e1"], ["r1"])
    lake.write_partition("deleted_events", DAY_ONE, rows("deleted_events", ["e2"]))
    remove_day(lake, DAY_TWO)

    index = refresh_day_index(lake)

    assert index.days() == [DAY_ONE]
    assert index.dropped_days == [DAY_TWO]
    assert index.rows("calendar_events") == 1 and index.rows("deleted_events") == 1
    assert index.repeated_ids("deleted_events") == {}


def test_a_day_flattened_again_with_the_same_rows_is_read_again_and_keeps_its_entries(lake):
    first = refresh_day_index(lake)
    write_day(lake, DAY_TWO, ["e3"], ["r3"])

    index = refresh_day_index(lake)

    assert index.read_days == [DAY_TWO]
    assert index.rows("recordings") == first.rows("recordings")
    assert index.repeated_ids("recordings") == {}


def test_a_stale_index_put_back_over_a_newer_one_is_corrected_from_the_files(lake, tmp_path):
    refresh_day_index(lake)
    stale = tmp_path / "stale.parquet"
    shutil.copyfile(index_file(lake), stale)
    write_day(lake, DAY_TWO, ["e3", "e1"], ["r3", "r1"])
    refresh_day_index(lake)
    write_day(lake, DAY_ONE, ["e2"], ["r2"])
    os.replace(stale, index_file(lake))

    index = refresh_day_index(lake)

    assert index.read_days == [DAY_ONE, DAY_TWO]
    assert index.repeated_ids("calendar_events") == {}
    assert index.entries == rebuilt_from_scratch(lake)


def test_a_damaged_index_file_is_rebuilt_from_the_files(lake):
    refresh_day_index(lake)
    with open(index_file(lake), "r+b") as damaged:
        damaged.write(b"not parquet at all")

    index = refresh_day_index(lake)

    assert index.rebuilt.startswith("unreadable")
    assert index.entries == rebuilt_from_scratch(lake)
    assert load_day_index(lake)[1] is None


def test_an_index_written_with_other_columns_is_rebuilt(lake):
    refresh_day_index(lake)
    pq.write_table(pa.table({"table_name": ["calendar_events"], "date": [DAY_ONE]}), index_file(lake))

    index = refresh_day_index(lake)

    assert index.rebuilt == "written with other columns"
    assert index.rows("calendar_events") == 3


def test_the_raw_store_index_tells_which_days_hold_each_listed_event(tmp_path):
    raw = Lake(str(tmp_path / "raw"))
    raw.write_partition("raw_calendar_events", DAY_ONE, rows("raw_calendar_events", ["e1", "e2"]))
    raw.write_partition("raw_calendar_events", DAY_TWO, rows("raw_calendar_events", ["e2"]))

    index = refresh_raw_index(raw)

    assert index.holders("raw_calendar_events") == {"e1": {DAY_ONE}, "e2": {DAY_ONE, DAY_TWO}}
    assert os.path.isfile(index_file(raw))
