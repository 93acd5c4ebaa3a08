"""Conversation metrics: who spoke, how much, and who owns each action item.

The definitions are documented column by column in docs/data-model.md ("Conversation views").
Three ideas carry them:

- Names are compared by a normalised key: whitespace runs (Python's ``str.isspace`` set)
  collapsed to one space, trimmed, and case-folded as Python's ``str.casefold`` does. Speaker
  keys are computed at flatten time (``normalised_name`` in relate_pipeline/meetings/segments.py,
  once per distinct name); contact names and action-item owners in the warehouse by the
  persisted macro ``name_key``, the same key in SQL. DuckDB's ``lower`` maps each code point to
  one code point, so the code points where that differs from full case folding (``ß`` to
  ``ss``, final sigma, Cherokee, ...) are listed in a table derived from Python's own
  Unicode tables (relate_pipeline/unicode_tables.py).
- A transcript is reduced to one row per segment (``transcript_segments``, a lake table written
  with the day), and every metric is computed over segments and runs of segments: a third of
  the entries and none of their text, so the views stay interactive over months of timings.
- Speakers and action-item owners are resolved to attendees by one rule set, generated once
  (``_resolution_sql``) for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from relate_pipeline.unicode_tables import case_folds_beyond_lower, whitespace_class

if TYPE_CHECKING:
    import duckdb

CONVERSATION_VIEWS: tuple[str, ...] = (
    "speaker_stats",
    "recording_stats",
    "organization_activity",
)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@cache
def _name_key_macros() -> str:
    """``case_fold`` and ``name_key``; the fold table is one string constant, cheap to bind in every query.

    The table reads ``\\x02<code point>\\x01<folding>`` per entry; only names holding one of its
    code points take the per-character path.
    """
    folds = case_folds_beyond_lower()
    special = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in folds) + "]"
    table = _sql_literal("".join(f"\x02{k}\x01{v}" for k, v in folds.items()) + "\x02")
    looked_up = f"nullif(split_part(split_part({table}, chr(2) || c || chr(1), 2), chr(2), 1), '')"
    return f"""
CREATE MACRO case_fold(s) AS CASE
    WHEN NOT regexp_matches(s, '{special}') THEN lower(s)
    ELSE array_to_string(list_transform(string_split(s, ''), lambda c: coalesce({looked_up}, lower(c))), '')
END;
CREATE MACRO name_key(name) AS nullif(case_fold(trim(regexp_replace(name, '{whitespace_class()}+', ' ', 'g'))), '');
"""


def __getattr__(name: str) -> str:
    """``NAME_KEY_MACRO``, the SQL creating both macros, is built when first asked for, not on import.

    Importing this module for its view definitions or its sample query (the CLI does) then reads
    no Unicode table.
    """
    if name == "NAME_KEY_MACRO":
        return _name_key_macros()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _resolution_sql(names: str) -> str:
    """CTEs resolving ``names`` (recording_id, event_id, name_key) to at most one attendee: ``resolved``.

    ``resolved`` has one row per distinct (recording_id, name_key) of ``names`` with the
    attendee's email, contact, organization, internal flag and the rule that matched.
    """
    return f"""
attendees AS (
    SELECT DISTINCT
        p.event_id,
        p.email,
        p.contact_id,
        p.organization_id,
        p.is_internal,
        name_key(concat_ws(' ', c.first_name, c.last_name)) AS full_name_key,
        name_key(c.first_name) AS first_name_key,
        string_split_regex(
            name_key(CASE WHEN contains(p.email, '@') THEN regexp_extract(p.email, '^(.*)@', 1) ELSE p.email END),
            '[._+-]'
        ) AS email_tokens
    FROM meeting_participants p
    LEFT JOIN contacts c ON c.contact_id = p.contact_id
    WHERE p.email IS NOT NULL
),
named AS (
    SELECT DISTINCT recording_id, event_id, name_key, split_part(name_key, ' ', 1) AS first_token
    FROM ({names})
),
candidates AS (
    SELECT
        n.recording_id,
        n.name_key,
        a.email,
        a.full_name_key = n.name_key AS by_full_name,
        a.first_name_key = n.first_token AS by_first_name,
        list_contains(a.email_tokens, n.first_token) AS by_email
    FROM named n
    JOIN attendees a ON a.event_id = n.event_id
    WHERE n.name_key IS NOT NULL
),
decided AS (
    SELECT
        recording_id,
        name_key,
        CASE
            WHEN count(*) FILTER (WHERE by_full_name) = 1 THEN 'full_name'
            WHEN count(*) FILTER (WHERE by_first_name) = 1 THEN 'first_name'
            WHEN count(*) FILTER (WHERE by_email) = 1 THEN 'email'
        END AS match_method,
        CASE
            WHEN count(*) FILTER (WHERE by_full_name) = 1 THEN min(email) FILTER (WHERE by_full_name)
            WHEN count(*) FILTER (WHERE by_first_name) = 1 THEN min(email) FILTER (WHERE by_first_name)
            WHEN count(*) FILTER (WHERE by_email) = 1 THEN min(email) FILTER (WHERE by_email)
        END AS email
    FROM candidates
    GROUP BY recording_id, name_key
),
resolved AS (
    SELECT
        n.recording_id,
        n.name_key,
        a.email,
        a.contact_id,
        a.organization_id,
        a.is_internal,
        coalesce(d.match_method, 'none') AS match_method
    FROM named n
    LEFT JOIN decided d ON d.recording_id = n.recording_id AND d.name_key IS NOT DISTINCT FROM n.name_key
    LEFT JOIN attendees a ON a.event_id = n.event_id AND a.email = d.email
)"""


# The chain both per-speaker and per-recording views start from; each view is one query, so
# the transcript is scanned once per view (``MATERIALIZED`` keeps DuckDB from scanning it
# again for every reference). Times are added up in whole microseconds (``*_us``): a sum of
# doubles depends on the order DuckDB's threads happen to add them in, and the same data must
# give the same figures on every query.
_SPEAKER_CTES = f"""
segments AS MATERIALIZED (
    SELECT
        *,
        CAST(round(talk_seconds * 1e6) AS BIGINT) AS talk_us,
        CAST(round(response_gap_seconds * 1e6) AS BIGINT) AS response_gap_us
    FROM transcript_segments
),
recording_events AS (
    SELECT recording_id, calendar_event_id AS event_id FROM recordings
),
speakers AS (
    SELECT
        recording_id,
        date,
        speaker_key,
        CASE WHEN speaker_key IS NOT NULL THEN arg_min(participant_name, segment_index) END AS participant_name,
        sum(talk_us) AS talk_us,
        CAST(sum(word_entry_count) AS BIGINT) AS word_entry_count,
        CAST(sum(question_count) AS BIGINT) AS question_count
    FROM segments
    GROUP BY recording_id, date, speaker_key
),
runs AS MATERIALIZED (
    SELECT
        recording_id,
        run_index,
        any_value(speaker_key) AS speaker_key,
        coalesce(max(last_end_s) - min(first_start_s), 0) AS span_seconds
    FROM segments
    GROUP BY recording_id, run_index
),
monologues AS (
    SELECT recording_id, speaker_key, max(span_seconds) AS longest_monologue_seconds
    FROM runs
    GROUP BY recording_id, speaker_key
),
{_resolution_sql("SELECT s.recording_id, e.event_id, s.speaker_key AS name_key FROM speakers s JOIN recording_events e USING (recording_id)")},
speaker_rows AS (
    SELECT
        s.recording_id,
        e.event_id,
        s.date,
        s.speaker_key,
        s.participant_name,
        r.email,
        r.contact_id,
        r.organization_id,
        coalesce(r.match_method, 'none') AS match_method,
        r.is_internal,
        s.talk_us,
        s.talk_us / 1e6 AS talk_seconds,
        s.talk_us / nullif(sum(s.talk_us) OVER (PARTITION BY s.recording_id), 0) AS talk_share,
        s.word_entry_count,
        s.question_count,
        m.longest_monologue_seconds
    FROM speakers s
    LEFT JOIN recording_events e ON e.recording_id = s.recording_id
    LEFT JOIN resolved r ON r.recording_id = s.recording_id AND r.name_key IS NOT DISTINCT FROM s.speaker_key
    LEFT JOIN monologues m ON m.recording_id = s.recording_id AND m.speaker_key IS NOT DISTINCT FROM s.speaker_key
)"""

SPEAKER_STATS_SQL = f"""
CREATE VIEW speaker_stats AS
WITH {_SPEAKER_CTES}
SELECT
    recording_id, event_id, date, participant_name, email, contact_id, organization_id, match_method, is_internal,
    talk_seconds, talk_share, word_entry_count, question_count, longest_monologue_seconds
FROM speaker_rows
"""

RECORDING_STATS_SQL = f"""
CREATE VIEW recording_stats AS
WITH {_SPEAKER_CTES},
by_speakers AS (
    SELECT
        recording_id,
        count(*) AS speaker_count,
        sum(talk_us) AS talk_us,
        sum(talk_us) FILTER (WHERE is_internal) AS internal_talk_us,
        CAST(sum(question_count) AS BIGINT) AS question_count
    FROM speaker_rows
    GROUP BY recording_id
),
by_segments AS (
    SELECT
        recording_id,
        coalesce(max(last_end_s) - min(first_start_s), 0) AS transcript_seconds,
        count(*) FILTER (WHERE is_switch) AS speaker_switches,
        sum(response_gap_us) / count(response_gap_us) / 1e6 AS mean_response_gap_seconds
    FROM segments
    GROUP BY recording_id
),
longest AS (
    SELECT
        u.recording_id,
        max(u.span_seconds) AS longest_monologue_seconds,
        arg_max(s.participant_name, [u.span_seconds, -u.run_index]) AS longest_monologue_participant
    FROM runs u
    LEFT JOIN speakers s ON s.recording_id = u.recording_id AND s.speaker_key IS NOT DISTINCT FROM u.speaker_key
    GROUP BY u.recording_id
)
SELECT
    r.recording_id,
    r.calendar_event_id AS event_id,
    r.date,
    coalesce(p.speaker_count, 0) AS speaker_count,
    coalesce(p.talk_us / 1e6, 0) AS talk_seconds,
    coalesce(g.transcript_seconds, 0) AS transcript_seconds,
    coalesce(g.speaker_switches, 0) AS speaker_switches,
    g.speaker_switches / nullif(g.transcript_seconds / 60, 0) AS switches_per_minute,
    coalesce(l.longest_monologue_seconds, 0) AS longest_monologue_seconds,
    l.longest_monologue_participant,
    g.mean_response_gap_seconds,
    coalesce(p.question_count, 0) AS question_count,
    coalesce(p.internal_talk_us, 0) / nullif(p.talk_us, 0) AS internal_talk_share
FROM recordings r
LEFT JOIN by_speakers p ON p.recording_id = r.recording_id
LEFT JOIN by_segments g ON g.recording_id = r.recording_id
LEFT JOIN longest l ON l.recording_id = r.recording_id
"""

ACTION_ITEMS_SQL = f"""
CREATE VIEW action_items AS
WITH owners AS (
    SELECT ai.recording_id, ai.item_index, name_key(ai.owner) AS owner_key
    FROM recording_action_items ai
),
{_resolution_sql("SELECT o.recording_id, r.calendar_event_id AS event_id, o.owner_key AS name_key FROM owners o JOIN recordings r USING (recording_id)")}
SELECT
    ai.recording_id,
    ai.item_index,
    ai.text,
    ai.owner,
    ai.task,
    m.event_id,
    m.title,
    coalesce(m.date, ai.date) AS date,
    m.start_at,
    coalesce(m.organization_names, CAST([] AS VARCHAR[])) AS organization_names,
    o.email AS owner_email,
    o.contact_id AS owner_contact_id,
    coalesce(o.match_method, 'none') AS owner_match_method,
    o.organization_id AS owner_organization_id,
    o.is_internal AS owner_is_internal
FROM recording_action_items ai
LEFT JOIN meetings m ON m.recording_id = ai.recording_id
LEFT JOIN owners k ON k.recording_id = ai.recording_id AND k.item_index = ai.item_index
LEFT JOIN resolved o ON o.recording_id = ai.recording_id AND o.name_key IS NOT DISTINCT FROM k.owner_key
"""

ORGANIZATION_ACTIVITY_SQL = f"""
CREATE VIEW organization_activity AS
WITH {_SPEAKER_CTES},
met AS (
    SELECT DISTINCT organization_id, organization_name, event_id, start_at
    FROM meeting_participants
    WHERE NOT is_internal AND organization_id IS NOT NULL
),
visits AS (
    SELECT
        organization_id,
        any_value(organization_name) AS organization_name,
        count(DISTINCT event_id) AS meetings,
        min(start_at) AS first_met,
        max(start_at) AS last_met
    FROM met
    GROUP BY organization_id
),
talk AS (
    SELECT
        m.organization_id,
        sum(s.talk_us) AS talk_us,
        sum(s.talk_us) FILTER (WHERE s.organization_id = m.organization_id AND NOT s.is_internal) AS their_talk_us
    FROM (SELECT DISTINCT organization_id, event_id FROM met) m
    JOIN speaker_rows s ON s.event_id = m.event_id
    GROUP BY m.organization_id
),
items AS (
    SELECT
        m.organization_id,
        count(*) AS action_items,
        count(*) FILTER (WHERE a.owner_organization_id = m.organization_id AND NOT a.owner_is_internal) AS their_action_items,
        count(*) FILTER (WHERE a.owner_is_internal) AS our_action_items
    FROM (SELECT DISTINCT organization_id, event_id FROM met) m
    JOIN action_items a ON a.event_id = m.event_id
    GROUP BY m.organization_id
)
SELECT
    v.organization_id,
    v.organization_name,
    v.meetings,
    v.first_met,
    v.last_met,
    coalesce(t.talk_us / 1e6, 0) AS talk_seconds,
    coalesce(t.their_talk_us / 1e6, 0) AS their_talk_seconds,
    coalesce(t.their_talk_us, 0) / nullif(t.talk_us, 0) AS their_talk_share,
    coalesce(i.action_items, 0) AS action_items,
    coalesce(i.their_action_items, 0) AS their_action_items,
    coalesce(i.our_action_items, 0) AS our_action_items
FROM visits v
LEFT JOIN talk t ON t.organization_id = v.organization_id
LEFT JOIN items i ON i.organization_id = v.organization_id
"""

# What the demo prints after a run: the customer meetings where our side did most of the talking.
CONVERSATION_SAMPLE_QUERY = """SELECT m.title,
       s.speaker_count                          AS speakers,
       round(s.transcript_seconds / 60, 1)      AS minutes,
       round(100 * s.internal_talk_share)       AS our_talk_pct,
       round(s.switches_per_minute, 1)          AS switches_per_min,
       s.longest_monologue_participant          AS longest_monologue_by,
       s.question_count                         AS questions
FROM recording_stats s
JOIN meetings m USING (recording_id)
WHERE m.external_participant_count > 0
ORDER BY s.internal_talk_share DESC NULLS LAST, m.start_at DESC
LIMIT 5"""

CONVERSATION_SQL: tuple[str, ...] = (
    SPEAKER_STATS_SQL,
    RECORDING_STATS_SQL,
    ORGANIZATION_ACTIVITY_SQL,
)


@dataclass(frozen=True)
class ConversationSummary:
    """What a load brought in, for the warehouse materialization: days, volume and speaker resolution."""

    first_day: date | None
    last_day: date | None
    meetings: int
    recordings: int
    talk_seconds: float
    resolved_talk_seconds: float
    top_organizations: list[tuple[str, int, float | None]]

    @property
    def resolution_rate(self) -> float | None:
        """Share of transcript talk time spoken by a speaker resolved to an attendee; None without talk."""
        return self.resolved_talk_seconds / self.talk_seconds if self.talk_seconds else None

    def markdown(self) -> str:
        days = "all days" if self.first_day is None else f"{self.first_day} – {self.last_day}"
        rate = "no transcript talk" if self.resolution_rate is None else f"{self.resolution_rate:.1%} of talk time resolved to an attendee"
        lines = [
            f"**{days}**: {self.meetings:,} meetings, {self.recordings:,} recordings, "
            f"{self.talk_seconds / 3600:,.1f} talk hours; {rate}.",
        ]
        if self.top_organizations:
            lines += ["", "| organization | meetings | their share of the talk |", "| --- | ---: | ---: |"]
            lines += [
                f"| {name} | {meetings} | {'–' if share is None else f'{share:.0%}'} |"
                for name, meetings, share in self.top_organizations
            ]
        return "\n".join(lines)


# One pass over speaker_stats (materialised in ``talk``) gives both the totals and the
# organizations; a row per top organization, or one row with null organization when none.
_SUMMARY_SQL = """
WITH met AS (
    SELECT DISTINCT organization_id, organization_name, event_id
    FROM meeting_participants
    WHERE NOT is_internal AND organization_id IS NOT NULL AND date BETWEEN $low AND $high
),
talk AS MATERIALIZED (
    SELECT
        event_id,
        organization_id,
        is_internal,
        match_method <> 'none' AS resolved,
        sum(CAST(round(talk_seconds * 1e6) AS BIGINT)) AS talk_us
    FROM speaker_stats
    WHERE date BETWEEN $low AND $high
    GROUP BY ALL
),
totals AS (
    SELECT coalesce(sum(talk_us), 0) / 1e6 AS talk_seconds, coalesce(sum(talk_us) FILTER (WHERE resolved), 0) / 1e6 AS resolved
    FROM talk
),
their_talk AS (
    SELECT
        m.organization_id,
        sum(t.talk_us) AS talk_us,
        sum(t.talk_us) FILTER (WHERE t.organization_id = m.organization_id AND NOT t.is_internal) AS their_talk_us
    FROM met m
    JOIN talk t ON t.event_id = m.event_id
    GROUP BY m.organization_id
),
top_organizations AS (
    SELECT
        coalesce(any_value(m.organization_name), m.organization_id) AS organization,
        count(DISTINCT m.event_id) AS meetings,
        coalesce(any_value(t.their_talk_us), 0) / nullif(any_value(t.talk_us), 0) AS their_share
    FROM met m
    LEFT JOIN their_talk t ON t.organization_id = m.organization_id
    GROUP BY m.organization_id
    ORDER BY meetings DESC, organization
    LIMIT $top
)
SELECT totals.talk_seconds, totals.resolved, o.organization, o.meetings, o.their_share
FROM totals
LEFT JOIN top_organizations o ON true
ORDER BY o.meetings DESC, o.organization
"""


def conversation_summary(
    connection: duckdb.DuckDBPyConnection, first_day: date | None = None, last_day: date | None = None, top: int = 5
) -> ConversationSummary:
    """Summarise the warehouse's meetings between two days (inclusive; all days when not given)."""
    bounds = {"low": first_day or date.min, "high": last_day or date.max}
    (meetings,) = connection.execute(
        "SELECT count(DISTINCT event_id) FROM calendar_events WHERE date BETWEEN $low AND $high", bounds
    ).fetchone()
    (recordings,) = connection.execute("SELECT count(*) FROM recordings WHERE date BETWEEN $low AND $high", bounds).fetchone()
    rows = connection.execute(_SUMMARY_SQL, {**bounds, "top": top}).fetchall()
    talk, resolved = rows[0][0], rows[0][1]
    organizations = [(name, meetings, share) for _, _, name, meetings, share in rows if name is not None]
    return ConversationSummary(first_day, last_day, meetings, recordings, float(talk), float(resolved), organizations)
