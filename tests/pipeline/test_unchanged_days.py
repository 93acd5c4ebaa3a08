"""Unchanged means untouched: a re-run that finds nothing new leaves every file's bytes and time alone."""

from __future__ import annotations

from datetime import date


from relate_pipeline.client import ClientSettings
from tests.pipeline.workspace_support import event_on, file_states, metadata_of
from tests.support.writing_client import WritingRelateClient

FIRST, LAST = date(2026, 5, 18), date(2026, 5, 20)
MIDDLE = "2026-05-19"


def test_rerun_of_an_unchanged_workspace_rewrites_no_raw_lake_or_snapshot_file(small_workspace):
    emulator, harness = small_workspace
    before = file_states(harness.data_dir)

    result = harness.run(FIRST, LAST)

    assert file_states(harness.data_dir) == before
    raw = metadata_of(result, "raw_meetings")
    assert (raw["days_rewritten"].value, raw["days_unchanged"].value) == ([], 3)
    assert raw["recordings_fetched"].value == 0
    assert metadata_of(result, "meeting_tables")["days_flattened"].value == 0


def test_an_edit_rewrites_only_the_day_of_the_edited_meeting(small_workspace):
    emulator, harness = small_workspace
    before = file_states(harness.data_dir)
    emulator.admin.edit_event(event_on(emulator, date.fromisoformat(MIDDLE))["id"], title="Renamed")

    result = harness.run(FIRST, LAST)

    after = file_states(harness.data_dir)
    changed = {path for path in after if after[path] != before.get(path)}
    indexes = {f"{store}/day_index/snapshot.parquet" for store in ("lake", "raw")}
    days = {path.split("/")[0] + "/" + path.split("/")[2] for path in changed - indexes}
    assert {path.split("/", 1)[1] for path in days} == {f"date={MIDDLE}"}
    assert indexes <= changed
    assert metadata_of(result, "raw_meetings")["days_rewritten"].value == [MIDDLE]


def test_a_crm_change_rewrites_only_the_snapshots_that_changed(small_workspace):
    emulator, harness = small_workspace
    before = file_states(harness.data_dir / "lake")
    with WritingRelateClient(ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)) as client:
        organization_id = emulator.admin.snapshot()["organizations"][0]["id"]
        client.create_note({"organization_id": organization_id, "body": "A note written between two runs"})

    result = harness.run(FIRST, LAST)

    after = file_states(harness.data_dir / "lake")
    assert {path for path in after if after[path] != before[path]} == {"notes/snapshot.parquet"}
    crm = metadata_of_crm(result)
    assert crm["tables_rewritten"].value == ["notes"]


def metadata_of_crm(result) -> dict:
    return next(
        e.event_specific_data.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.event_specific_data.materialization.asset_key.to_user_string() == "crm_snapshots"
    )


def test_tables_whose_flattening_was_interrupted_are_written_again_from_the_unchanged_raw_day(small_workspace):
    _, harness = small_workspace
    lost = harness.data_dir / "lake" / "transcript_utterances" / f"date={MIDDLE}" / "part.parquet"
    expected = harness.lake.read_partition("transcript_utterances", MIDDLE)
    lost.unlink()

    result = harness.run(FIRST, LAST)

    assert harness.lake.read_partition("transcript_utterances", MIDDLE).equals(expected)
    assert metadata_of(result, "meeting_tables")["days_flattened"].value == 1
    assert metadata_of(result, "raw_meetings")["days_rewritten"].value == []
