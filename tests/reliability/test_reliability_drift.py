"""Schema drift served by the emulator, through a whole Dagster range run.

Half the events and half the done recordings come back drifted (unknown fields, missing optional
fields, null lists, a summary with other keys, an empty transcript, Korean, emoji, quotes and line
breaks). Nothing may crash and nothing may be dropped silently: the raw store keeps every body,
every text lands unchanged, and `summary_fields` keeps the keys the documented shape lacks.
Expectations are computed from the emulator's ground truth with plain loops, not the flatteners.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import httpx
import orjson
import pytest

from relate_pipeline.emulator import EmulatorProcess
from relate_pipeline.emulator.drift import EVENT_DRIFTS, RECORDING_DRIFTS, UNUSUAL_TEXT
from relate_pipeline.meetings.recordings import RESERVED_SUMMARY_KEYS
from relate_pipeline.tables import MEETING_TABLES
from tests.pipeline.conftest import PipelineHarness
from tests.reliability.reliability_support import DAYS, FIRST, LAST, RELIABILITY_EMULATOR


@dataclass(frozen=True)
class DriftedRun:
    harness: PipelineHarness
    result: object
    events: list[dict]
    recordings: dict[str, dict]
    bodies: dict[str, bytes]


def served(truth: dict, markers: tuple[str, ...]) -> dict:
    return {key: value for key, value in truth.items() if key not in markers}


@pytest.fixture(scope="module")
def drifted(tmp_path_factory) -> DriftedRun:
    with EmulatorProcess(**{**RELIABILITY_EMULATOR, "drift_fraction": 0.5}) as emulator:
        snapshot = emulator.admin.snapshot()
        events = [
            e for e in snapshot["calendar_events"]
            if e["exposed"] and FIRST <= datetime.fromisoformat(e["start_at"]).astimezone(timezone.utc).date() <= LAST
        ]
        done_ids = [r["id"] for e in events for r in e["recordings"] if r["status"] == "done"]
        recordings = {rid: snapshot["recordings"][rid] for rid in done_ids}
        headers = {"Authorization": f"Bearer {emulator.api_key}"}
        with httpx.Client(base_url=emulator.base_url, headers=headers) as api:
            bodies = {rid: api.get(f"/recordings/{rid}").content for rid in done_ids}
        harness = PipelineHarness(emulator, tmp_path_factory.mktemp("drift") / "data")
        result = harness.run(FIRST, LAST)
    return DriftedRun(harness, result, events, recordings, bodies)


def lake_rows(run: DriftedRun, table: str) -> list[dict]:
    return [row for day in DAYS for row in run.harness.lake.read_partition(table, day).to_pylist()]


def as_items(value) -> list:
    return [] if value is None else value


def test_drifted_workspace_serves_every_drift_variant_in_the_range(drifted):
    assert {e["drift"] for e in drifted.events} - {None} == set(EVENT_DRIFTS)
    assert {r.get("drift") for r in drifted.recordings.values()} - {None} == set(RECORDING_DRIFTS)


def test_drift_reshapes_objects_but_serves_the_same_ones(drifted, reliability_emulator):
    plain = reliability_emulator.admin.snapshot()
    plain_events = {e["id"] for e in plain["calendar_events"] if e["exposed"]}
    assert {e["id"] for e in drifted.events} <= plain_events
    assert set(drifted.recordings) <= {rid for rid, r in plain["recordings"].items() if r["status"] == "done"}
    assert all(e["drift"] is None for e in plain["calendar_events"])


def test_drifted_run_succeeds_with_every_check_passing(drifted):
    assert drifted.result.success
    failed = [(e.asset_key.to_user_string(), e.check_name) for e in drifted.result.get_asset_check_evaluations() if not e.passed]
    assert failed == []


def test_raw_store_keeps_every_recording_body_byte_for_byte(drifted):
    stored = {row["recording_id"]: row["body"] for day in DAYS
              for row in drifted.harness.lakehouse.raw.read_partition("raw_recordings", day).to_pylist()}
    assert stored == drifted.bodies


def test_raw_store_keeps_every_listed_event_with_its_unknown_fields(drifted):
    stored = {row["event_id"]: orjson.loads(row["body"]) for day in DAYS
              for row in drifted.harness.lakehouse.raw.read_partition("raw_calendar_events", day).to_pylist()}
    markers = ("exposed", "stale_updated_at", "drift")
    brief_markers = ("done_at", "late", "deleted")
    expected = {}
    for event in drifted.events:
        public = served(event, markers)
        public["recordings"] = [served(brief, brief_markers) for brief in event["recordings"]]
        expected[event["id"]] = public
    assert stored == expected


def test_every_transcript_word_lands_with_its_exact_text(drifted):
    expected = Counter(
        (rid, word["text"])
        for rid, detail in drifted.recordings.items()
        for segment in as_items(detail["transcript"])
        for word in as_items(segment["words"])
    )
    assert Counter((r["recording_id"], r["text"]) for r in lake_rows(drifted, "transcript_utterances")) == expected


def test_every_topic_and_action_item_lands_with_its_exact_text(drifted):
    topics = Counter((rid, t["title"], t["content"]) for rid, d in drifted.recordings.items()
                     for t in as_items((d["summary"] or {}).get("topics")))
    items = Counter((rid, item) for rid, d in drifted.recordings.items()
                    for item in as_items((d["summary"] or {}).get("action_items")))
    assert Counter((r["recording_id"], r["title"], r["content"]) for r in lake_rows(drifted, "recording_topics")) == topics
    assert Counter((r["recording_id"], r["text"]) for r in lake_rows(drifted, "recording_action_items")) == items


def test_summary_keys_outside_the_documented_shape_land_in_summary_fields(drifted):
    expected = {
        (rid, key, orjson.dumps(value))
        for rid, detail in drifted.recordings.items()
        for key, value in (detail["summary"] or {}).items()
        if key not in RESERVED_SUMMARY_KEYS
    }
    landed = {(r["recording_id"], r["field_name"], orjson.dumps(orjson.loads(r["value_json"])))
              for r in lake_rows(drifted, "summary_fields")}
    assert {key for _, key, _ in expected} >= {"risks", "customer_quote", "scores"}
    assert landed == expected


def test_null_and_missing_fields_land_as_nulls_and_empty_children(drifted):
    events = {r["event_id"]: r for r in lake_rows(drifted, "calendar_events")}
    recordings = {r["recording_id"]: r for r in lake_rows(drifted, "recordings")}
    attendees = Counter(r["event_id"] for r in lake_rows(drifted, "event_attendees"))
    for event in drifted.events:
        if event["drift"] == "null_attendees":
            assert (events[event["id"]]["attendee_count"], attendees[event["id"]]) == (0, 0)
        if event["drift"] == "missing_optional_fields":
            assert (events[event["id"]]["conference_link"], events[event["id"]]["created_at"]) == (None, None)
    for rid, detail in drifted.recordings.items():
        if detail.get("drift") == "missing_optional_fields":
            assert (recordings[rid]["audio_duration_s"], recordings[rid]["ended_at"], recordings[rid]["detected_language"]) == (None, None, None)
        if detail.get("drift") == "empty_transcript":
            assert (recordings[rid]["has_transcript"], recordings[rid]["utterance_count"]) == (True, 0)
        if detail.get("drift") == "null_lists":
            assert (recordings[rid]["topic_count"], recordings[rid]["action_item_count"]) == (0, 0)


def test_korean_emoji_quotes_and_line_breaks_land_unchanged(drifted):
    titles = {r["event_id"]: r["title"] for r in lake_rows(drifted, "calendar_events")}
    summaries = {r["recording_id"]: r["summary_text"] for r in lake_rows(drifted, "recordings")}
    unusual_events = [e for e in drifted.events if e["drift"] == "unusual_text"]
    unusual_recordings = [rid for rid, d in drifted.recordings.items() if d.get("drift") == "unusual_text"]
    assert unusual_events and unusual_recordings
    assert all(titles[e["id"]] == e["title"] and e["title"].endswith(UNUSUAL_TEXT) for e in unusual_events)
    assert all(summaries[rid] == UNUSUAL_TEXT for rid in unusual_recordings)


def test_warehouse_serves_every_drifted_row(drifted):
    with duckdb.connect(drifted.harness.warehouse_path, read_only=True) as connection:
        counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in MEETING_TABLES}
        transcripts = connection.execute("SELECT count(*) FROM transcripts").fetchone()[0]
    assert counts == {t: len(lake_rows(drifted, t)) for t in MEETING_TABLES}
    assert transcripts == counts["transcript_utterances"]
