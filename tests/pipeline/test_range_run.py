"""A multi-day range run, end to end through Dagster, compared with the emulator's ground truth."""

from __future__ import annotations

from collections import Counter
from datetime import date

import duckdb
import pytest

from relate_pipeline.tables import CRM_TABLES, MEETING_TABLES
from tests.pipeline.conftest import PipelineHarness
from tests.pipeline.truth import expected

FIRST, LAST = date(2026, 5, 18), date(2026, 5, 20)
DAYS = ["2026-05-18", "2026-05-19", "2026-05-20"]


@pytest.fixture(scope="module")
def loaded(emulator, tmp_path_factory):
    harness = PipelineHarness(emulator, tmp_path_factory.mktemp("range") / "data")
    result = harness.run(FIRST, LAST)
    truth = expected(emulator.admin.snapshot(), FIRST, LAST, "UTC")
    return harness, result, truth


def lake_rows(harness, table: str) -> list[dict]:
    return [row for day in DAYS for row in harness.lake.read_partition(table, day).to_pylist()]


def test_range_run_succeeds_in_one_run_covering_every_day(loaded):
    harness, result, _ = loaded
    assert result.success
    for table in MEETING_TABLES:
        assert harness.lake.partitions(table) == DAYS


def test_every_exposed_event_of_the_window_lands_once(loaded):
    harness, _, truth = loaded
    event_ids = [row["event_id"] for row in lake_rows(harness, "calendar_events")]
    assert sorted(event_ids) == truth["event_ids"]


def test_every_attendee_and_listed_recording_lands(loaded):
    harness, _, truth = loaded
    assert len(lake_rows(harness, "event_attendees")) == truth["attendee_count"]
    assert len(lake_rows(harness, "event_recordings")) == truth["listed_recordings"]


def test_every_done_recording_is_fetched_with_its_summary(loaded):
    harness, _, truth = loaded
    recordings = lake_rows(harness, "recordings")
    assert sorted(r["recording_id"] for r in recordings) == truth["recording_ids"]
    assert {r["recording_id"]: r["summary_text"] for r in recordings} == truth["summaries"]
    assert lake_rows(harness, "missing_recordings") == []


def test_transcript_text_lands_word_entry_for_word_entry(loaded):
    harness, _, truth = loaded
    assert Counter(r["text"] for r in lake_rows(harness, "transcript_utterances")) == truth["utterances"]


def test_topics_action_items_and_extra_summary_keys_land(loaded):
    harness, _, truth = loaded
    assert len(lake_rows(harness, "recording_topics")) == truth["topic_count"]
    assert Counter(r["text"] for r in lake_rows(harness, "recording_action_items")) == truth["action_items"]
    fields = sorted((r["recording_id"], r["field_name"]) for r in lake_rows(harness, "summary_fields"))
    assert fields == truth["summary_fields"]
    assert truth["summary_fields"], "the synthetic workspace should carry extra summary keys"


def test_crm_snapshots_hold_the_whole_workspace(loaded, emulator):
    harness, _, _ = loaded
    snapshot = emulator.admin.snapshot()
    assert harness.lake.read_snapshot("contacts").num_rows == len(snapshot["contacts"])
    assert harness.lake.read_snapshot("organizations").num_rows == len(snapshot["organizations"])
    assert harness.lake.read_snapshot("notes").num_rows == len(snapshot["notes"])
    assert harness.lake.read_snapshot("custom_fields").num_rows == len(snapshot["custom_fields"])
    assert harness.lake.read_snapshot("lists").num_rows == len(snapshot["lists"])
    entries = sum(len(items) for items in snapshot["entries"].values())
    assert harness.lake.read_snapshot("list_entries").num_rows == entries
    emails = sum(len(set(e.lower() for e in c["emails"])) for c in snapshot["contacts"])
    assert harness.lake.read_snapshot("contact_emails").num_rows == emails


def test_every_asset_check_passes(loaded):
    _, result, _ = loaded
    evaluations = result.get_asset_check_evaluations()
    assert evaluations
    failed = [(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed]
    assert failed == []


def test_materializations_carry_each_tables_row_count_and_the_api_counters(loaded):
    _, result, truth = loaded
    by_asset = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        by_asset[materialization.asset_key.to_user_string()] = materialization.metadata
    assert by_asset["meeting_tables"]["rows/recordings"].value == len(truth["recording_ids"])
    assert by_asset["meeting_tables"]["rows/event_attendees"].value == truth["attendee_count"]
    assert by_asset["crm_snapshots"]["rows/contacts"].value > 0
    assert by_asset["warehouse"]["rows/transcript_utterances"].value == sum(truth["utterances"].values())
    assert by_asset["raw_meetings"]["api_requests"].value > 0
    assert by_asset["crm_snapshots"]["api_requests"].value > 0


def test_warehouse_exposes_every_table_and_analyst_view(loaded):
    harness, _, truth = loaded
    with duckdb.connect(harness.warehouse_path, read_only=True) as connection:
        for table in (*MEETING_TABLES, *CRM_TABLES):
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        participants = connection.execute("SELECT count(*) FROM meeting_participants").fetchone()[0]
        meetings = connection.execute("SELECT count(DISTINCT event_id) FROM meetings").fetchone()[0]
        utterances = connection.execute("SELECT count(*) FROM transcripts").fetchone()[0]
    assert participants == truth["attendee_count"]
    assert meetings == len(truth["event_ids"])
    assert utterances == sum(truth["utterances"].values())


def test_meeting_tables_alone_are_rebuilt_from_the_raw_store_without_calling_the_api(loaded, emulator):
    harness, _, _ = loaded
    before = {t: sorted(map(str, lake_rows(harness, t))) for t in MEETING_TABLES}
    requests = emulator.admin.stats()["total_requests"]
    result = harness.run(FIRST, LAST, selection=["meeting_tables"])
    assert result.success
    assert {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()} == {"meeting_tables"}
    assert emulator.admin.stats()["total_requests"] == requests
    assert {t: sorted(map(str, lake_rows(harness, t))) for t in MEETING_TABLES} == before


def test_raw_meetings_alone_fill_the_raw_store_and_write_no_table(emulator, tmp_path):
    harness = PipelineHarness(emulator, tmp_path / "data")
    result = harness.run(FIRST, LAST, selection=["raw_meetings"])
    assert {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()} == {"raw_meetings"}
    assert harness.lakehouse.raw.partitions("raw_recordings") == DAYS
    assert all(harness.lake.partitions(table) == [] for table in MEETING_TABLES)


def test_rerun_downloads_nothing_unchanged_and_duplicates_nothing(loaded):
    harness, _, truth = loaded
    before = {t: len(lake_rows(harness, t)) for t in MEETING_TABLES}
    result = harness.run(FIRST, LAST)
    raw = next(
        e.event_specific_data.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.event_specific_data.materialization.asset_key.to_user_string() == "raw_meetings"
    )
    assert raw["recordings_fetched"].value == 0
    assert raw["recordings_reused"].value == len(truth["recording_ids"])
    assert {t: len(lake_rows(harness, t)) for t in MEETING_TABLES} == before
