"""Trackers in real runs: mentions land with each day, a changed file reaches every day without the
API, and a bad file stops the run before anything is written."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest

from assets.resources import Lakehouse
from relate_pipeline.warehouse.deals import top_deals
from tests.pipeline.workspace_support import SMALL_WORKSPACE, SMALL_WORKSPACE_DAYS, file_states, metadata_of

FIRST, LAST = SMALL_WORKSPACE_DAYS


def said(harness, pattern: str) -> dict[str, int]:
    """Per day, the transcript words (split on spaces, punctuation trimmed, lower-cased) matching ``pattern``."""
    counts = {}
    for day in harness.lake.partitions("transcript_utterances"):
        texts = harness.lake.read_partition("transcript_utterances", day).column("text").to_pylist()
        words = [re.sub(r"^\W+|\W+$", "", word).lower() for text in texts if text for word in text.split()]
        counts[day] = sum(1 for word in words if re.fullmatch(pattern, word))
    return counts


def mentions(harness, tracker: str) -> dict[str, int]:
    return {
        day: sum(1 for t in harness.lake.read_partition("tracker_matches", day).column("tracker").to_pylist() if t == tracker)
        for day in harness.lake.partitions("tracker_matches")
    }


@pytest.fixture
def workspace(make_emulator, make_harness, tmp_path):
    trackers = tmp_path / "trackers.yaml"
    trackers.write_text("trackers:\n  Pricing: [pricing]\n", encoding="utf-8")
    emulator = make_emulator(**SMALL_WORKSPACE)
    harness = make_harness(emulator)
    lakehouse = harness.lakehouse
    harness.lakehouse = Lakehouse(data_dir=lakehouse.data_dir, internal_domains=lakehouse.internal_domains, trackers_file=str(trackers))
    result = harness.run(FIRST, LAST)
    assert result.success
    return emulator, harness, trackers, result


def test_each_day_holds_the_mentions_of_its_transcripts(workspace):
    _, harness, _, result = workspace
    expected = said(harness, "pricing")
    assert sum(expected.values()) > 0
    assert mentions(harness, "Pricing") == expected
    metadata = metadata_of(result, "meeting_tables")
    assert "| Pricing | `pricing` |" in metadata["trackers"].value


def test_the_warehouse_materialization_names_the_top_trackers_and_deals(workspace):
    _, harness, _, result = workspace
    with duckdb.connect(harness.warehouse_path, read_only=True) as db:
        deals = top_deals(db, FIRST, LAST)
    (metadata,) = [
        event.event_specific_data.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.event_specific_data.materialization.asset_key.to_user_string() == "warehouse"
    ]
    assert metadata["top_trackers"].value.startswith("| tracker | mentions | recordings |\n")
    assert "| Pricing |" in metadata["top_trackers"].value
    assert deals, "the workspace's deals had no meeting"
    assert [line.split(" | ")[0].strip("| ") for line in metadata["top_deals"].value.splitlines()[2:]] == [deal for deal, _, _ in deals]


def test_the_warehouse_counts_them_per_recording_and_side(workspace):
    _, harness, _, _ = workspace
    with duckdb.connect(harness.warehouse_path, read_only=True) as db:
        total, internal, external = db.execute(
            "SELECT sum(mentions), sum(internal_mentions), sum(external_mentions) FROM tracker_stats WHERE tracker = 'Pricing'"
        ).fetchone()
        by_side = db.execute(
            "SELECT count(*) FILTER (WHERE is_internal), count(*) FILTER (WHERE NOT is_internal) FROM tracker_mentions"
        ).fetchone()
    assert total == sum(said(harness, "pricing").values())
    assert (internal, external) == by_side
    assert internal + external <= total


def test_a_changed_file_reaches_every_day_without_calling_the_api(workspace):
    emulator, harness, trackers, _ = workspace
    trackers.write_text('trackers:\n  Pricing: [pricing, "disc*"]\n  Security: ["SOC 2"]\n', encoding="utf-8")
    emulator.admin.reset_stats()
    result = harness.run(FIRST, FIRST, selection=["meeting_tables"])
    assert result.success
    assert emulator.admin.stats()["total_requests"] == 0
    assert mentions(harness, "Pricing") == {
        day: said(harness, "pricing")[day] + said(harness, "disc.*")[day] for day in harness.lake.partitions("transcript_utterances")
    }
    assert sum(mentions(harness, "Security").values()) == sum(said(harness, "soc").values()) > 0
    assert metadata_of(result, "meeting_tables")["tracker_days_recomputed"].value == (LAST - FIRST).days


def test_an_unchanged_file_recomputes_nothing(workspace):
    _, harness, _, _ = workspace
    before = {day: harness.lake.modified_ns("tracker_matches", day) for day in ("2026-05-18", "2026-05-19")}
    result = harness.run(LAST, LAST, selection=["meeting_tables"])
    assert metadata_of(result, "meeting_tables")["tracker_days_recomputed"].value == 0
    assert {day: harness.lake.modified_ns("tracker_matches", day) for day in before} == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("trackers:\n  Pricing: [pricing\n", "invalid YAML at line 3"),
        ("trackers:\n  Pricing: []\n", "tracker 'Pricing' has no phrases"),
        ('trackers:\n  Pricing: [" "]\n', "tracker 'Pricing': phrase ' ' is empty"),
    ],
)
def test_a_bad_file_fails_the_run_naming_it_and_writes_nothing(workspace, text, problem):
    _, harness, trackers, _ = workspace
    trackers.write_text(text, encoding="utf-8")
    before = file_states(harness.data_dir)
    result = harness.run(date(2026, 5, 19), LAST, raise_on_error=False)
    assert not result.success
    failures = {event.step_key: event.event_specific_data.error.to_string() for event in result.all_events if event.is_step_failure}
    assert f"{trackers}: {problem}" in failures["meetings"]
    assert file_states(harness.data_dir) == before
