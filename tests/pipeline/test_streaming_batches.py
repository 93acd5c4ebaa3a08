"""A day larger than one batch streams through the raw store and the lake in batches, losing nothing."""

from __future__ import annotations

import asyncio
from datetime import date
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

import relate_pipeline.meetings.extraction as extraction
import relate_pipeline.meetings.day_tables as tables
import relate_pipeline.meetings.raw_store as raw_store
from relate_pipeline.client import AsyncRelateClient, ClientSettings
from relate_pipeline.meetings.raw_tables import flatten_raw_recordings
from relate_pipeline.lake import Lake

DAY = date(2026, 5, 19)
BATCH = 4
UTC = ZoneInfo("UTC")


def _extract(emulator, raw: Lake) -> extraction.RangeExtract:
    async def run() -> extraction.RangeExtract:
        settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)
        async with AsyncRelateClient(settings) as client:
            return await extraction.extract_meeting_days(client, DAY, DAY, UTC, raw)

    return asyncio.run(run())


@pytest.fixture
def small_batches(monkeypatch):
    for module in (extraction, tables, raw_store):
        monkeypatch.setattr(module, "BATCH_RECORDINGS", BATCH)


@pytest.fixture
def extracted(emulator, tmp_path, small_batches):
    raw = Lake(str(tmp_path / "raw"))
    report = _extract(emulator, raw)
    assert report.total("fetched") > 2 * BATCH, "the day must span several batches"
    return raw, report


def _raw_file(raw: Lake) -> pq.ParquetFile:
    return pq.ParquetFile(f"{raw.root}/raw_recordings/date={DAY.isoformat()}/part.parquet")


def test_raw_partition_is_written_in_row_groups_of_at_most_one_batch(extracted):
    raw, report = extracted
    metadata = _raw_file(raw).metadata
    assert metadata.num_rows == report.total("fetched")
    assert max(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)) <= BATCH


def test_rerun_without_changes_carries_every_body_over_in_batches(emulator, extracted):
    raw, _ = extracted
    before = {row["recording_id"]: row["body"] for row in raw.read_partition("raw_recordings", DAY.isoformat()).to_pylist()}
    report = _extract(emulator, raw)
    after = {row["recording_id"]: row["body"] for row in raw.read_partition("raw_recordings", DAY.isoformat()).to_pylist()}
    assert (report.total("fetched"), report.total("reused")) == (0, len(before))
    assert after == before


def test_batched_meeting_tables_equal_flattening_the_whole_day_at_once(extracted, tmp_path):
    raw, _ = extracted
    lake = Lake(str(tmp_path / "lake"))
    written = tables.write_meeting_day(raw, lake, DAY.isoformat())
    whole = flatten_raw_recordings(raw.read_partition("raw_recordings", DAY.isoformat()))
    for name in tables.RECORDING_TABLES:
        stored = lake.read_partition(name, DAY.isoformat())
        key = [(column, "ascending") for column in stored.column_names]
        assert stored.sort_by(key).equals(whole[name].sort_by(key)), name
        assert written.rows[name] == whole[name].num_rows


def test_batched_checks_find_no_duplicates_or_orphans_in_a_clean_day(extracted, tmp_path):
    raw, _ = extracted
    written = tables.write_meeting_day(raw, Lake(str(tmp_path / "lake")), DAY.isoformat())
    assert set(written.duplicates.values()) == {0}
    assert set(written.orphans.values()) == {0}
    assert written.not_fetched == []



def test_extraction_reports_progress_up_to_every_detail_fetched(emulator, tmp_path):
    reports: list[tuple[int, int]] = []

    async def extract() -> extraction.RangeExtract:
        settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)
        async with AsyncRelateClient(settings) as client:
            return await extraction.extract_meeting_days(
                client, date(2026, 5, 19), date(2026, 5, 20), UTC, Lake(str(tmp_path / "raw")),
                on_progress=lambda done, total: reports.append((done, total)),
            )

    fetched = asyncio.run(extract()).total("fetched")
    assert fetched > 0
    assert reports[-1] == (fetched, fetched)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
