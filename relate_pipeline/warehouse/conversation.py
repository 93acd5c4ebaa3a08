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
- Everything that does not depend on the CRM is computed once per day, when the day is
  flattened (relate_pipeline/meetings/day_metrics.py): each recording's metrics
  (``recording_metrics``), each speaker's (``speaker_metrics``) and each action-item owner's key
  (``action_item_owners``), with the outcome of the one resolution rule that needs only the
  day's attendees. The views read those rows, one per recording or speaker, never a transcript.
- Speakers and action-item owners are resolved to attendees by one rule set, generated once
  (``_resolution_sql``) for both; only the CRM's part (contact names) is joined when queried.
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


_RULES = (("full_name", "by_full_name"), ("first_name", "by_first_name"), ("email", "by_email"))


def _resolution_sql(names: str, keys: tuple[str, ...], carried: tuple[str, ...] = ()) -> str:
    """CTEs resolving each row of ``names`` to at most one attendee: ``resolved``.

    ``names`` has the ``keys`` of a row (``date`` among them, so a filter on the day reaches the
    files), ``event_id``, ``name_key`` and ``email_match``
    (the ``email`` rule's outcome, decided from the day's attendees when the day was flattened);
    ``resolved`` has one row per row of ``names``, with its ``carried`` columns, the attendee's
    email, contact, organization, internal flag and the rule that matched. Each name meets the
    attendees of its event on its day (an event and its recordings share a day) in one equality
    join, and each relation is read once, so a query of one day reads no other day's files.
    """
    picked = ",\n        ".join(
        f"count(*) FILTER (WHERE {flag}) AS {rule}_matches, any_value(attendee) FILTER (WHERE {flag}) AS {rule}_attendee"
        for rule, flag in _RULES
    )
    method = "\n            ".join(f"WHEN {rule}_matches = 1 THEN '{rule}'" for rule, _ in _RULES)
    chosen = " ".join(f"WHEN '{rule}' THEN {rule}_attendee" for rule, _ in _RULES)
    group = ", ".join(f"n.{key}" for key in keys)
    kept = "".join(f"any_value(n.{column}) AS {column},\n        " for column in carried)
    return f"""
contact_keys AS (
    SELECT contact_id, name_key(concat_ws(' ', first_name, last_name)) AS full_name_key, name_key(first_name) AS first_name_key
    FROM contacts
),
attendees AS (
    SELECT DISTINCT p.event_id, p.date, p.email, p.contact_id, p.organization_id, p.is_internal, k.full_name_key, k.first_name_key
    FROM meeting_participants p
    LEFT JOIN contact_keys k ON k.contact_id = p.contact_id
    WHERE p.email IS NOT NULL
),
candidates AS (
    SELECT
        {group},
        {kept}{picked}
    FROM (
        SELECT
            n.*,
            {{'email': a.email, 'contact_id': a.contact_id, 'organization_id': a.organization_id, 'is_internal': a.is_internal}} AS attendee,
            coalesce(a.full_name_key = n.name_key, false) AS by_full_name,
            coalesce(a.first_name_key = split_part(n.name_key, ' ', 1), false) AS by_first_name,
            coalesce(a.email = n.email_match, false) AS by_email
        FROM {names} n
        LEFT JOIN attendees a ON a.event_id = n.event_id AND a.date = n.date
    ) n
    GROUP BY {group}
),
decided AS (
    SELECT
        *,
        CASE
            {method}
            ELSE 'none'
        END AS match_method
    FROM candidates
),
resolved AS (
    SELECT
        * EXCLUDE ({", ".join(f"{rule}_matches, {rule}_attendee" for rule, _ in _RULES)}, attendee),
        attendee.email AS email,
        attendee.contact_id AS contact_id,
        attendee.organization_id AS organization_id,
        attendee.is_internal AS is_internal
    FROM (SELECT *, CASE match_method {chosen} END AS attendee FROM decided)
)"""


# The chain both per-speaker and per-recording views start from: the day's speaker rows, resolved
# against the CRM. Sums over speakers add whole microseconds (``*_us``; each speaker's talk is a
# whole number of them), since a sum of doubles depends on the order DuckDB's threads add them in.
_SPEAKER_COLUMNS = (
    "event_id", "participant_name", "talk_seconds", "talk_share", "word_entry_count", "question_count",
    "longest_monologue_seconds",
)
_SPEAKER_CTES = f"""
speakers AS (
    SELECT recording_id, speaker_index, event_id, date, speaker_key AS name_key, email_match, participant_name,
           talk_seconds, talk_share, word_entry_count, question_count, longest_monologue_seconds
    FROM speaker_metrics
),
{_resolution_sql("speakers", ("recording_id", "speaker_index", "date"), _SPEAKER_COLUMNS)},
speaker_rows AS (
    SELECT
        recording_id,
        event_id,
        date,
        participant_name,
        email,
        contact_id,
        organization_id,
        match_method,
        is_internal,
        CAST(round(talk_seconds * 1e6) AS BIGINT) AS talk_us,
        talk_seconds,
        talk_share,
        CAST(word_entry_count AS BIGINT) AS word_entry_count,
        CAST(question_count AS BIGINT) AS question_count,
        longest_monologue_seconds
    FROM resolved
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
internal_talk AS (
    SELECT recording_id, date, sum(talk_us) FILTER (WHERE is_internal) AS internal_talk_us
    FROM speaker_rows
    GROUP BY recording_id, date
)
SELECT
    m.recording_id,
    m.event_id,
    m.date,
    CAST(m.speaker_count AS BIGINT) AS speaker_count,
    m.talk_seconds,
    m.transcript_seconds,
    CAST(m.speaker_switches AS BIGINT) AS speaker_switches,
    m.switches_per_minute,
    m.longest_monologue_seconds,
    m.longest_monologue_participant,
    m.mean_response_gap_seconds,
    CAST(m.question_count AS BIGINT) AS question_count,
    coalesce(i.internal_talk_us, 0) / nullif(CAST(round(m.talk_seconds * 1e6) AS BIGINT), 0) AS internal_talk_share
FROM recording_metrics m
LEFT JOIN internal_talk i ON i.recording_id = m.recording_id AND i.date = m.date
"""

ACTION_ITEMS_SQL = f"""
CREATE VIEW action_items AS
WITH owners AS (
    SELECT recording_id, item_index, event_id, date, owner_key AS name_key, email_match FROM action_item_owners
),
{_resolution_sql("owners", ("recording_id", "item_index", "date"))}
SELECT
    ai.recording_id,
    ai.item_index,
    ai.text,
    ai.owner,
    ai.task,
    m.event_id,
    m.title,
    ai.date,
    m.start_at,
    coalesce(m.organization_names, CAST([] AS VARCHAR[])) AS organization_names,
    o.email AS owner_email,
    o.contact_id AS owner_contact_id,
    coalesce(o.match_method, 'none') AS owner_match_method,
    o.organization_id AS owner_organization_id,
    o.is_internal AS owner_is_internal
FROM recording_action_items ai
LEFT JOIN meetings m ON m.recording_id = ai.recording_id AND m.date = ai.date
LEFT JOIN resolved o ON o.recording_id = ai.recording_id AND o.item_index = ai.item_index AND o.date = ai.date
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
