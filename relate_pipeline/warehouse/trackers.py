"""Tracker views: each mention with who said it, and mentions per recording and tracker.

Mentions are found when a day is flattened (``tracker_matches``, relate_pipeline/meetings/trackers.py);
the speaker's attendee depends on the CRM as it is now, so it is resolved here, by the rules of
``speaker_stats`` and from the same per-day speaker rows (``speaker_metrics``), for the speakers of
recordings with a mention only.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from relate_pipeline.warehouse.conversation import _resolution_sql

if TYPE_CHECKING:
    import duckdb

TRACKER_VIEWS: tuple[str, ...] = ("tracker_mentions", "tracker_stats")

def _speakers_resolved(speakers: str) -> str:
    """CTEs resolving the speakers (recording_id, date, speaker_key) of ``speakers`` to attendees:
    ``speakers`` (each with its ``speaker_metrics`` row) and ``resolved``."""
    return f"""
named AS MATERIALIZED (SELECT DISTINCT recording_id, date, speaker_key FROM ({speakers})),
speakers AS MATERIALIZED (
    SELECT m.recording_id, m.speaker_index, m.event_id, m.date, m.speaker_key AS name_key, m.email_match
    FROM speaker_metrics m
    JOIN named n ON n.recording_id = m.recording_id AND n.date = m.date AND n.speaker_key IS NOT DISTINCT FROM m.speaker_key
),
{_resolution_sql("speakers", ("recording_id", "speaker_index", "date"))}"""


_SPEAKER_JOIN = """
LEFT JOIN speakers s ON s.recording_id = m.recording_id AND s.date = m.date AND s.name_key IS NOT DISTINCT FROM m.speaker_key
LEFT JOIN resolved r ON r.recording_id = s.recording_id AND r.speaker_index = s.speaker_index AND r.date = s.date"""

TRACKER_MENTIONS_SQL = f"""
CREATE VIEW tracker_mentions AS
WITH {_speakers_resolved("SELECT recording_id, date, speaker_key FROM tracker_matches")}
SELECT
    m.recording_id,
    m.event_id,
    m.date,
    m.tracker,
    m.phrase,
    m.segment_index,
    m.token_index,
    m.participant_name,
    m.start_relative_s,
    r.email,
    r.contact_id,
    r.is_internal
FROM tracker_matches m{_SPEAKER_JOIN}
"""

# Mentions are counted per speaker before any join, so the resolution joins one row per recording,
# tracker and speaker instead of one per mention.
TRACKER_STATS_SQL = f"""
CREATE VIEW tracker_stats AS
WITH by_speaker AS MATERIALIZED (
    SELECT recording_id, event_id, date, tracker, speaker_key, count(*) AS mentions, min(start_relative_s) AS first_mention_s
    FROM tracker_matches
    GROUP BY ALL
),
{_speakers_resolved("SELECT recording_id, date, speaker_key FROM by_speaker")}
SELECT
    m.recording_id,
    m.event_id,
    m.date,
    m.tracker,
    CAST(sum(m.mentions) AS BIGINT) AS mentions,
    CAST(coalesce(sum(m.mentions) FILTER (WHERE r.is_internal), 0) AS BIGINT) AS internal_mentions,
    CAST(coalesce(sum(m.mentions) FILTER (WHERE NOT r.is_internal), 0) AS BIGINT) AS external_mentions,
    min(m.first_mention_s) AS first_mention_s
FROM by_speaker m{_SPEAKER_JOIN}
GROUP BY m.recording_id, m.event_id, m.date, m.tracker
"""

TRACKER_SQL: tuple[str, ...] = (TRACKER_MENTIONS_SQL, TRACKER_STATS_SQL)

# What the demo prints after a run: how often each tracker came up, and which side raised it.
TRACKER_SAMPLE_QUERY = """SELECT tracker,
       sum(mentions)                AS mentions,
       count(DISTINCT recording_id) AS recordings,
       sum(external_mentions)       AS by_them,
       sum(internal_mentions)       AS by_us
FROM tracker_stats
GROUP BY tracker
ORDER BY mentions DESC, tracker
LIMIT 5"""


def top_trackers(
    connection: duckdb.DuckDBPyConnection, first_day: date | None = None, last_day: date | None = None, top: int = 5
) -> list[tuple[str, int, int]]:
    """(tracker, mentions, recordings) of the most mentioned trackers between two days (inclusive)."""
    return connection.execute(
        """
        SELECT tracker, count(*) AS mentions, count(DISTINCT recording_id) AS recordings
        FROM tracker_matches
        WHERE date BETWEEN $low AND $high
        GROUP BY tracker
        ORDER BY mentions DESC, tracker
        LIMIT $top
        """,
        {"low": first_day or date.min, "high": last_day or date.max, "top": top},
    ).fetchall()
