"""RELATE_KEEP_TRANSCRIPT_TEXT=false: no transcript text in any store, every metric as with the text."""

from __future__ import annotations


import orjson
import pytest

from assets.meetings import MEETING_TABLES_KEY
from assets.resources import Lakehouse
from relate_pipeline.governance.minimise import without_transcript_text
from relate_pipeline.warehouse.build import open_warehouse
from relate_pipeline.warehouse.conversation import CONVERSATION_VIEWS
from tests.governance.scan_support import findings, local_files
from tests.pipeline.workspace_support import SMALL_WORKSPACE, SMALL_WORKSPACE_DAYS, metadata_of

DETAIL = {
    "data": {
        "id": "r1",
        "status": "done",
        "summary": {"summary": "They agreed on a pilot.", "topics": [], "action_items": []},
        "transcript": [
            {
                "participant": {"name": "Dana Whitfield"},
                "language_code": "en",
                "words": [
                    {"text": "Can we start the pilot in June?", "start_timestamp": {"relative": 0.5}, "end_timestamp": {"relative": 2.0}},
                    {"text": "Pricing is the blocker.", "start_timestamp": {"relative": 2.5}, "end_timestamp": {"relative": 4.0}},
                    {"text": "次はいつですか？ ", "start_timestamp": {"relative": 4.5}, "end_timestamp": {"relative": 5.0}},
                ],
            }
        ],
    }
}


def test_a_redacted_body_keeps_speakers_times_and_question_marks_and_nothing_that_was_said():
    redacted = orjson.loads(without_transcript_text(orjson.dumps(DETAIL)))["data"]
    segment = redacted["transcript"][0]
    assert segment["participant"] == {"name": "Dana Whitfield"} and segment["language_code"] == "en"
    assert [word["text"] for word in segment["words"]] == ["?", None, "?"]
    assert [word["start_timestamp"]["relative"] for word in segment["words"]] == [0.5, 2.5, 4.5]
    assert redacted["summary"] == DETAIL["data"]["summary"]


def test_redacting_twice_gives_the_same_bytes_and_a_body_that_is_no_detail_is_left_alone():
    once = without_transcript_text(orjson.dumps(DETAIL))
    assert without_transcript_text(once) is once
    assert without_transcript_text(b"not json") == b"not json"
    assert without_transcript_text(b'{"error": "gone"}') == b'{"error": "gone"}'


# ---------------------------------------------------------------- real runs
def transcript_sentences(emulator) -> set[str]:
    return {
        word["text"]
        for recording in emulator.admin.snapshot()["recordings"].values()
        for segment in recording.get("transcript") or []
        for word in segment.get("words") or []
        if isinstance(word.get("text"), str) and len(word["text"].strip()) > 3
    }


def without_text(harness) -> None:
    """The harness's runs from now on as with ``RELATE_KEEP_TRANSCRIPT_TEXT=false``."""
    harness.lakehouse = keeping_text(harness, False)


def keeping_text(harness, keep: bool, trackers_file: str | None = None) -> Lakehouse:
    current = harness.lakehouse
    return Lakehouse(
        data_dir=current.data_dir,
        internal_domains=current.internal_domains,
        keep_transcript_text=keep,
        trackers_file=trackers_file or current.trackers_file,
    )


def view_rows(harness, view: str) -> list[tuple]:
    with open_warehouse(harness.warehouse_path, harness.lake) as connection:
        return connection.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()


def lake_rows(harness, table: str, drop: tuple[str, ...] = ()) -> list[dict]:
    rows = []
    for day in harness.lake.partitions(table):
        partition = harness.lake.read_partition(table, day).drop_columns(list(drop))
        rows += [{**row, "date": day} for row in partition.to_pylist()]
    return sorted(rows, key=repr)


@pytest.fixture
def with_and_without_text(make_emulator, make_harness):
    emulator = make_emulator(**SMALL_WORKSPACE)
    with_text = make_harness(emulator, "with_text")
    assert with_text.run(*SMALL_WORKSPACE_DAYS).success
    minimised = make_harness(emulator, "without_text")
    without_text(minimised)
    assert minimised.run(*SMALL_WORKSPACE_DAYS).success
    return emulator, with_text, minimised


def test_no_store_holds_any_transcript_text(with_and_without_text):
    emulator, with_text, without_text = with_and_without_text
    sentences = transcript_sentences(emulator)
    assert findings(local_files(with_text.data_dir), exact=sentences), "the scan finds the text where it is kept"
    assert findings(local_files(without_text.data_dir), exact=sentences) == []


def test_every_metric_is_identical_to_a_run_with_the_text(with_and_without_text):
    _, with_text, without_text = with_and_without_text
    for table in ("transcript_segments", "recordings", "event_attendees"):
        assert lake_rows(without_text, table) == lake_rows(with_text, table), table
    assert lake_rows(without_text, "transcript_utterances", ("text",)) == lake_rows(with_text, "transcript_utterances", ("text",))
    for view in CONVERSATION_VIEWS:
        assert view_rows(without_text, view) == view_rows(with_text, view), view
    assert sum(row["question_count"] for row in lake_rows(with_text, "transcript_segments")) > 0


def test_flattening_again_from_the_raw_store_gives_the_same_metrics(with_and_without_text):
    _, with_text, without_text = with_and_without_text
    assert without_text.run(*SMALL_WORKSPACE_DAYS, selection=[MEETING_TABLES_KEY]).success
    assert lake_rows(without_text, "transcript_segments") == lake_rows(with_text, "transcript_segments")


def test_turning_it_off_on_a_data_dir_with_text_removes_the_text_of_every_day_once(make_emulator, make_harness):
    from relate_cli.main import DEMO_TRACKERS

    emulator = make_emulator(**SMALL_WORKSPACE)
    harness = make_harness(emulator)
    harness.lakehouse = keeping_text(harness, True, str(DEMO_TRACKERS))
    assert harness.run(*SMALL_WORKSPACE_DAYS).success
    segments_with_text = lake_rows(harness, "transcript_segments")
    mentions_with_text = lake_rows(harness, "tracker_matches")
    assert mentions_with_text, "the trackers found mentions while the text was there"
    without_text(harness)
    last = SMALL_WORKSPACE_DAYS[1]
    result = harness.run(last, last)
    assert result.success
    assert metadata_of(result, "raw_meetings")["transcript_text_days_removed"].value == 3
    assert findings(local_files(harness.data_dir), exact=transcript_sentences(emulator)) == []
    assert lake_rows(harness, "transcript_segments") == segments_with_text
    assert lake_rows(harness, "tracker_matches") == mentions_with_text
    again = harness.run(last, last)
    assert metadata_of(again, "raw_meetings")["transcript_text_days_removed"].value == 0


def test_turning_it_back_on_restores_the_text_only_of_recordings_downloaded_again(make_emulator, make_harness):
    emulator = make_emulator(**SMALL_WORKSPACE)
    harness = make_harness(emulator)
    without_text(harness)
    assert harness.run(*SMALL_WORKSPACE_DAYS).success
    harness.lakehouse = keeping_text(harness, True)
    first, last = SMALL_WORKSPACE_DAYS
    assert harness.run(first, last).success
    sentences = transcript_sentences(emulator)
    assert findings(local_files(harness.data_dir / "lake"), exact=sentences) == []
    assert harness.run(last, last, tags={"relate/refresh": "true"}).success
    restored = {name.split("/")[1] for name, _ in findings(local_files(harness.data_dir / "lake"), exact=sentences)}
    assert restored == {f"date={last}"}


def test_the_command_line_run_with_the_setting_off_stores_no_transcript_text(make_emulator, tmp_path):
    from tests.pipeline.test_cli import emulator_env, run_cli

    emulator = make_emulator(**SMALL_WORKSPACE)
    env = {**emulator_env(emulator, tmp_path), "RELATE_KEEP_TRANSCRIPT_TEXT": "false"}
    first, last = SMALL_WORKSPACE_DAYS
    result = run_cli("run", "--start", first.isoformat(), "--end", last.isoformat(), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert findings(local_files(tmp_path / "data"), exact=transcript_sentences(emulator)) == []
    assert findings(local_files(tmp_path / "home"), exact=transcript_sentences(emulator)) == []
