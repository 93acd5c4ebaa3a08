"""Ids from the API are data, never path segments: hostile ids land as values and cannot move a file.

The emulator serves events and recordings whose ids look like paths (`../../x`, absolute paths,
backslashes, percent-escapes); a whole range run must land them as rows and write nothing outside
the fixed layout of the data directory.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from relate_pipeline.client import ClientSettings, RelateClient
from relate_pipeline.emulator import EmulatorAdminError
from relate_pipeline.day_index import INDEX_TABLE
from relate_pipeline.tables import RAW_TABLES, TABLES
from tests.pipeline.conftest import PipelineHarness
from tests.reliability.reliability_support import DAYS, FIRST, LAST, restored

TOKEN = uuid.uuid4().hex[:12]
HOSTILE = [
    (f"../../escape-{TOKEN}", f"../../../escape-{TOKEN}-recording"),
    (f"..\\..\\escape-{TOKEN}", f"..\\..\\escape-{TOKEN}-recording"),
    (f"/tmp/escape-{TOKEN}", f"/tmp/escape-{TOKEN}-recording"),
    (f"date=2026-05-19/../../escape-{TOKEN}", f"%2e%2e%2fescape-{TOKEN}-recording"),
]
LAKE_DAYS = [name for name, table in TABLES.items() if table.partitioned and name not in RAW_TABLES]
LAKE_SNAPSHOTS = [name for name, table in TABLES.items() if not table.partitioned]
LAYOUT = re.compile(
    rf"(lake/({'|'.join(LAKE_DAYS)})/date=\d{{4}}-\d{{2}}-\d{{2}}/part\.parquet"
    rf"|lake/({'|'.join(LAKE_SNAPSHOTS)})/snapshot\.parquet"
    rf"|raw/({'|'.join(RAW_TABLES)})/date=\d{{4}}-\d{{2}}-\d{{2}}/part\.parquet"
    rf"|raw/{INDEX_TABLE}/snapshot\.parquet"
    rf"|warehouse\.duckdb)"
)


@dataclass(frozen=True)
class HostileRun:
    harness: PipelineHarness
    result: object
    root: Path


@pytest.fixture(scope="module")
def hostile_run(reliability_emulator, baseline, tmp_path_factory) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile")
    with restored(reliability_emulator) as emulator:
        for minute, (event_id, recording_id) in enumerate(HOSTILE):
            start = datetime(2026, 5, 19, 13, minute, tzinfo=timezone.utc)
            emulator.admin.insert_event(start, id=event_id, recording_id=recording_id, title="Hostile ids")
        harness = PipelineHarness(emulator, root / "data")
        result = harness.run(FIRST, LAST)
    return HostileRun(harness, result, root)


def lake_ids(run: HostileRun, table: str, column: str) -> set[str]:
    return {row[column] for day in DAYS for row in run.harness.lake.read_partition(table, day).to_pylist()}


def test_events_and_recordings_with_path_like_ids_land_as_rows(hostile_run):
    assert hostile_run.result.success
    assert {e for e, _ in HOSTILE} <= lake_ids(hostile_run, "calendar_events", "event_id")
    assert {r for _, r in HOSTILE} <= lake_ids(hostile_run, "recordings", "recording_id")
    assert {r for _, r in HOSTILE} <= lake_ids(hostile_run, "transcript_utterances", "recording_id")
    assert not {r for _, r in HOSTILE} & lake_ids(hostile_run, "missing_recordings", "recording_id")


def test_every_file_written_follows_the_fixed_layout(hostile_run):
    data_dir = hostile_run.harness.data_dir
    files = [str(path.relative_to(data_dir)) for path in data_dir.rglob("*") if path.is_file()]
    assert files and [f for f in files if not LAYOUT.fullmatch(f)] == []


def test_nothing_named_after_a_hostile_id_exists_anywhere_near_the_data(hostile_run):
    """Relative ids climb at most a few levels above the data; absolute ones would land in /tmp itself."""
    escaped = [*hostile_run.root.parent.parent.rglob(f"*{TOKEN}*"), *Path("/tmp").glob(f"*{TOKEN}*")]
    assert escaped == []


def test_recording_id_made_of_dots_is_requested_at_its_own_url(reliability_emulator):
    """A `..` id must be escaped, not resolved as a dot segment that turns the URL into `/v1`."""
    with restored(reliability_emulator) as emulator:
        emulator.admin.insert_event(datetime(2026, 5, 19, 14, 0, tzinfo=timezone.utc), id=".", recording_id="..")
        settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key, max_retries=0)
        with RelateClient(settings) as client:
            assert client.get_recording("..")["id"] == ".."


def test_emulator_refuses_to_insert_an_id_that_is_already_taken(reliability_emulator):
    with restored(reliability_emulator) as emulator:
        taken = emulator.admin.snapshot()["calendar_events"][0]["id"]
        with pytest.raises(EmulatorAdminError, match="already taken") as caught:
            emulator.admin.insert_event(datetime(2026, 5, 19, 15, 0, tzinfo=timezone.utc), recording_id=taken)
    assert caught.value.status == 422
