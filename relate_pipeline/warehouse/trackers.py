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

TRACKER_MENTIONS_SQL = f"""
CREATE VIEW tracker_mentions AS
WITH speakers AS MATERIALIZED (
    SELECT recording_id, speaker_index, event_id, date, speaker_key AS name_key, email_match
    FROM speaker_metrics
    WHERE recording_id IN (SELECT recording_id FROM tracker_matches)
),
{_resolution_sql("speakers", ("recording_id", "speaker_index", "date"))}
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
FROM tracker_matches m
LEFT JOIN speakers s ON s.recording_id = m.recording_id AND s.date = m.date AND s.name_key IS NOT DISTINCT FROM m.speaker_key
LEFT JOIN resolved r ON r.recording_id = s.recording_id AND r.speaker_index = s.speaker_index AND r.date = s.date
"""

TRACKER_STATS_SQL = """
CREATE VIEW tracker_stats AS
SELECT
    recording_id,
    event_id,
    date,
    tracker,
    count(*) AS mentions,
    count(*) FILTER (WHERE is_internal) AS internal_mentions,
    count(*) FILTER (WHERE NOT is_internal) AS external_mentions,
    min(start_relative_s) AS first_mention_s
FROM tracker_mentions
GROUP BY recording_id, event_id, date, tracker
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
