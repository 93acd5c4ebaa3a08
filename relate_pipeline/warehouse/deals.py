"""Deal views: the entries of every process, the meetings held with each deal's organization while
it was open, and what those meetings amounted to.

A process is a list whose entries are deals (status, values, ``closed_at``); the CRM snapshot
already holds them (``lists``, ``list_entries``), so deals are views over it joined to the
meetings, documented column by column in docs/data-model.md ("Deals").
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from relate_pipeline.warehouse.conversation import _resolution_sql

if TYPE_CHECKING:
    import duckdb

DEAL_VIEWS: tuple[str, ...] = ("deals", "deal_meetings", "deal_activity")

DEALS_SQL = """
CREATE VIEW deals AS
WITH processes AS (
    SELECT list_id, name, from_json(coalesce(statuses_json, '[]'), '[{"name": "VARCHAR", "type": "VARCHAR"}]') AS statuses
    FROM lists
    WHERE process
)
SELECT
    e.entry_id AS deal_id,
    e.key AS deal_key,
    e.list_id AS process_id,
    p.name AS process_name,
    CASE e.entryable_type
        WHEN 'Organization' THEN e.entryable_id
        WHEN 'Contact' THEN c.organization_id
    END AS organization_id,
    e.contact_id,
    e.status,
    list_filter(p.statuses, lambda s: s.name = e.status)[1].type AS status_type,
    e.one_time_value_cents,
    e.recurring_value_cents,
    e.recurring_value_period,
    e.closed_at,
    e.created_at,
    e.updated_at
FROM list_entries e
JOIN processes p ON p.list_id = e.list_id
LEFT JOIN contacts c ON e.entryable_type = 'Contact' AND c.contact_id = e.entryable_id
"""

DEAL_MEETINGS_SQL = """
CREATE VIEW deal_meetings AS
SELECT DISTINCT d.deal_id, p.event_id, p.date, p.start_at
FROM deals d
JOIN meeting_participants p ON p.organization_id = d.organization_id AND NOT p.is_internal
JOIN calendar_events e ON e.event_id = p.event_id AND e.date = p.date
WHERE e.done_recording_count > 0
  AND p.start_at >= d.created_at
  AND (d.closed_at IS NULL OR p.start_at <= d.closed_at)
"""
"""Separate from ``deal_activity`` so analysts can join a deal's meetings to anything (the deal's
stage at each meeting, in docs/data-model.md)."""


# Talk is resolved for the speakers of the deals' meetings only (their recordings' speaker_metrics
# rows), by the rules of speaker_stats, not for every speaker in the warehouse.
DEAL_ACTIVITY_SQL = f"""
CREATE VIEW deal_activity AS
WITH met AS MATERIALIZED (
    SELECT m.deal_id, m.event_id, m.date, m.start_at, d.organization_id
    FROM deal_meetings m
    JOIN deals d USING (deal_id)
),
met_recordings AS MATERIALIZED (
    SELECT DISTINCT er.recording_id, er.date
    FROM (SELECT DISTINCT event_id, date FROM met) m
    JOIN event_recordings er ON er.event_id = m.event_id AND er.date = m.date AND er.status = 'done'
),
speakers AS MATERIALIZED (
    SELECT s.recording_id, s.speaker_index, s.event_id, s.date, s.speaker_key AS name_key, s.email_match,
           CAST(round(s.talk_seconds * 1e6) AS BIGINT) AS talk_us
    FROM speaker_metrics s
    JOIN met_recordings r ON r.recording_id = s.recording_id AND r.date = s.date
),
{_resolution_sql("speakers", ("recording_id", "speaker_index", "date"))},
speaker_talk AS (
    SELECT s.event_id, r.organization_id, r.is_internal, s.talk_us
    FROM speakers s
    LEFT JOIN resolved r ON r.recording_id = s.recording_id AND r.speaker_index = s.speaker_index AND r.date = s.date
),
visits AS (
    SELECT deal_id, count(DISTINCT event_id) AS meetings, min(start_at) AS first_meeting_at, max(start_at) AS last_meeting_at
    FROM met
    GROUP BY deal_id
),
items AS (
    SELECT m.deal_id, count(*) AS action_items
    FROM met m
    JOIN event_recordings er ON er.event_id = m.event_id AND er.date = m.date AND er.status = 'done'
    JOIN recording_action_items ai ON ai.recording_id = er.recording_id AND ai.date = er.date
    GROUP BY m.deal_id
),
talk AS (
    SELECT
        m.deal_id,
        sum(t.talk_us) AS talk_us,
        sum(t.talk_us) FILTER (WHERE t.organization_id = m.organization_id AND NOT t.is_internal) AS their_talk_us
    FROM met m
    JOIN speaker_talk t ON t.event_id = m.event_id
    GROUP BY m.deal_id
)
SELECT
    d.deal_id,
    coalesce(v.meetings, 0) AS meetings,
    v.first_meeting_at,
    v.last_meeting_at,
    coalesce(i.action_items, 0) AS action_items,
    coalesce(t.their_talk_us, 0) / nullif(t.talk_us, 0) AS their_talk_share
FROM deals d
LEFT JOIN visits v ON v.deal_id = d.deal_id
LEFT JOIN items i ON i.deal_id = d.deal_id
LEFT JOIN talk t ON t.deal_id = d.deal_id
"""


DEAL_SQL: tuple[str, ...] = (DEALS_SQL, DEAL_MEETINGS_SQL, DEAL_ACTIVITY_SQL)

# What the demo prints after a run: the deals met most while they were open.
DEAL_SAMPLE_QUERY = """SELECT d.deal_key,
       d.process_name,
       d.status,
       d.status_type,
       a.meetings,
       a.last_meeting_at::DATE           AS last_met,
       a.action_items,
       round(100 * a.their_talk_share)   AS their_talk_pct
FROM deal_activity a
JOIN deals d USING (deal_id)
WHERE a.meetings > 0
ORDER BY a.meetings DESC, a.last_meeting_at DESC, d.deal_key
LIMIT 5"""


def top_deals(
    connection: duckdb.DuckDBPyConnection, first_day: date | None = None, last_day: date | None = None, top: int = 5
) -> list[tuple[str, str | None, int]]:
    """(deal_key or id, organization name, meetings) of the deals with the most meetings between two days (inclusive)."""
    return connection.execute(
        """
        SELECT coalesce(d.deal_key, d.deal_id) AS deal, any_value(o.name) AS organization, count(DISTINCT m.event_id) AS meetings
        FROM deal_meetings m
        JOIN deals d USING (deal_id)
        LEFT JOIN organizations o ON o.organization_id = d.organization_id
        WHERE m.date BETWEEN $low AND $high
        GROUP BY ALL
        ORDER BY meetings DESC, deal
        LIMIT $top
        """,
        {"low": first_day or date.min, "high": last_day or date.max, "top": top},
    ).fetchall()
