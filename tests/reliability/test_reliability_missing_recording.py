"""A recording listed as done whose detail answers 404 (deleted after it was listed): the run records it as
missing, lands everything else exactly as the fault-free run does, and a check reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import orjson
import pytest
from dagster import AssetCheckSeverity

from tests.pipeline.conftest import PipelineHarness
from tests.reliability.reliability_support import FIRST, LAST, lake_contents, restored

RECORDING_TABLES = (
    "recordings", "recording_topics", "recording_action_items", "transcript_utterances", "transcript_segments", "summary_fields",
    "recording_metrics", "speaker_metrics", "action_item_owners",
)


@dataclass(frozen=True)
class DeletedRun:
    harness: PipelineHarness
    result: object
    recording_id: str
    event_id: str


@pytest.fixture(scope="module")
def deleted_run(reliability_emulator, baseline, tmp_path_factory) -> DeletedRun:
    with restored(reliability_emulator) as emulator:
        event = next(
            e for e in emulator.admin.snapshot()["calendar_events"]
            if e["exposed"] and e["start_at"].startswith("2026-05-19") and len(e["recordings"]) == 1
        )
        recording_id = event["recordings"][0]["id"]
        emulator.admin.delete_recording(recording_id)
        harness = PipelineHarness(emulator, tmp_path_factory.mktemp("deleted") / "data")
        result = harness.run(FIRST, LAST)
    return DeletedRun(harness, result, recording_id, event["id"])


def without_recording(contents: dict[str, list[str]], recording_id: str) -> dict[str, list[str]]:
    return {
        name: [row for row in rows if name not in RECORDING_TABLES or orjson.loads(row)["recording_id"] != recording_id]
        for name, rows in contents.items()
    }


def test_deleted_recording_is_recorded_as_missing_with_its_404(deleted_run):
    missing = [
        row for day in deleted_run.harness.lake.partitions("missing_recordings")
        for row in deleted_run.harness.lake.read_partition("missing_recordings", day).to_pylist()
    ]
    assert missing == [{
        "recording_id": deleted_run.recording_id,
        "calendar_event_id": deleted_run.event_id,
        "listed_status": "done",
        "http_status": 404,
        "reason": "http 404",
    }]


def test_everything_else_lands_exactly_as_in_the_fault_free_run(deleted_run, baseline):
    landed = lake_contents(deleted_run.harness.lake)
    expected = without_recording(baseline.lake, deleted_run.recording_id)
    del landed["missing_recordings"], expected["missing_recordings"]
    assert landed == expected


def test_run_succeeds_and_the_done_recordings_check_warns_naming_the_recording(deleted_run):
    assert deleted_run.result.success
    check = next(
        e for e in deleted_run.result.get_asset_check_evaluations() if e.check_name == "done_recordings_fetched"
    )
    assert (check.passed, check.severity) == (False, AssetCheckSeverity.WARN)
    assert check.metadata["recording_ids"].value == [deleted_run.recording_id]


def test_warehouse_lists_the_missing_recording_and_keeps_its_meeting(deleted_run):
    with duckdb.connect(deleted_run.harness.warehouse_path, read_only=True) as connection:
        missing = connection.execute("SELECT recording_id, http_status FROM missing_recordings").fetchall()
        meeting = connection.execute(
            "SELECT recording_id FROM meetings WHERE event_id = ?", [deleted_run.event_id]
        ).fetchall()
    assert missing == [(deleted_run.recording_id, 404)]
    assert meeting == [(None,)]
