"""The DuckDB warehouse: built by exactly one asset, so there is never a second writer.

The asset rebuilds the file only when its inputs changed (``refresh_warehouse``). Its checks cover
what the run loaded, while the key guarantee stays global: the attendee match and the
conversation summary are measured over the run's days (on each new file, and stored in it, so an
unchanged re-run of the same days reports them without querying again); whether any event id or
recording id lives on two days is answered by the day index, which re-reads only the days whose
files changed, never by a query over every day.
"""

import hashlib
from dataclasses import asdict
from datetime import date
from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.automation import RANGE_END_TAG, RANGE_START_TAG
from assets.crm import crm_snapshots
from assets.meetings import MEETING_TABLES_KEY
from assets.indexes import log_index_refresh
from assets.metadata import row_count_metadata
from assets.pools import LAKE_POOL
from assets.resources import Lakehouse
from relate_pipeline.day_index import refresh_day_index
from relate_pipeline.warehouse.conversation import ConversationSummary, conversation_summary
from relate_pipeline.warehouse.deals import top_deals
from relate_pipeline.warehouse.trackers import top_trackers
from relate_pipeline.warehouse.build import definitions_fingerprint, open_warehouse, refresh_warehouse

MIN_MATCH_RATE = 0.5
MIN_TALK_RESOLUTION = 0.4

MATCH_RATE_SQL = """
    SELECT count(*) AS external_attendees,
           count(*) FILTER (WHERE match_type <> 'none') AS matched
    FROM meeting_participants
    WHERE NOT is_internal AND date BETWEEN $low AND $high
"""

MEASURED_BY = Path(__file__).read_text()
"""How the checks' figures are taken is part of a build's inputs: a change here rebuilds."""

CODE_VERSION = hashlib.sha256(f"{definitions_fingerprint()}\0{MEASURED_BY}".encode()).hexdigest()[:16]
"""Changes with the views' definitions and with how the checks measure, as a build's inputs do."""


@asset(
    deps=[MEETING_TABLES_KEY, crm_snapshots],
    group_name="warehouse",
    kinds={"duckdb"},
    code_version=CODE_VERSION,
    pool=LAKE_POOL,
    description=(
        "warehouse.duckdb: a view over every lake table plus the joined analyst views "
        "meetings, meeting_participants, action_items and transcripts, and the conversation views "
        "speaker_stats, recording_stats and organization_activity."
    ),
    check_specs=[
        AssetCheckSpec(
            "attendee_match_rate",
            asset="warehouse",
            description=(
                f"At least {MIN_MATCH_RATE:.0%} of the external attendees of the run's days match a contact "
                "or an organization's domain."
            ),
        ),
        AssetCheckSpec(
            "talk_resolution_rate",
            asset="warehouse",
            description=(
                f"At least {MIN_TALK_RESOLUTION:.0%} of the run's transcript talk time is spoken by a speaker "
                "resolved to an attendee of the meeting."
            ),
        ),
        AssetCheckSpec(
            "keys_unique_across_days",
            asset="warehouse",
            description=(
                "No event id or recording id on two days anywhere in the lake, checked against the day index "
                "(which day holds each id), refreshed from the lake's files by every run."
            ),
        ),
    ],
)
def warehouse(context: AssetExecutionContext, lakehouse: Lakehouse) -> MaterializeResult:
    path, lake = lakehouse.warehouse_file, lakehouse.lake
    days = _run_days(context)
    index = refresh_day_index(lake)
    log_index_refresh(context, "lake", index)
    build = refresh_warehouse(
        path, lake, lakehouse.internal_domains, lambda connection: _measure(connection, *days), MEASURED_BY, index
    )
    measures = _stored_measures(build.measures, *days)
    if measures is None:
        with open_warehouse(path, lake) as connection:
            measures = _measure(connection, *days)
    external, matched = measures["match"]
    summary = _summary(measures)
    repeated = {name: count for name, count in index.cross_day_duplicates().items() if count}
    rate = matched / external if external else 1.0
    talk_rate = 1.0 if summary.resolution_rate is None else summary.resolution_rate
    state = "built" if build.rebuilt else "unchanged (no lake file, snapshot or definition changed since its build)"
    context.log.info(f"warehouse {state} at {path}; attendee match rate {rate:.1%}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(path),
            "rebuilt": MetadataValue.bool(build.rebuilt),
            "inputs_fingerprint": MetadataValue.text(build.fingerprint),
            **row_count_metadata(build.rows),
            "attendee_match_rate": MetadataValue.float(rate),
            "conversations": MetadataValue.md(summary.markdown()),
            "top_trackers": MetadataValue.md(
                _top_markdown(("tracker", "mentions", "recordings"), measures["trackers"], "No tracker mentions on the run's days.")
            ),
            "top_deals": MetadataValue.md(
                _top_markdown(("deal", "organization", "meetings"), measures["deals"], "No deal met on the run's days.")
            ),
            "talk_resolution_rate": MetadataValue.float(talk_rate),
        },
        check_results=[
            AssetCheckResult(
                check_name="attendee_match_rate",
                passed=rate >= MIN_MATCH_RATE,
                severity=AssetCheckSeverity.WARN,
                metadata={"external_attendees": external, "matched": matched, "rate": MetadataValue.float(rate)},
            ),
            AssetCheckResult(
                check_name="talk_resolution_rate",
                passed=talk_rate >= MIN_TALK_RESOLUTION,
                severity=AssetCheckSeverity.WARN,
                metadata={
                    "talk_seconds": MetadataValue.float(summary.talk_seconds),
                    "resolved_talk_seconds": MetadataValue.float(summary.resolved_talk_seconds),
                    "rate": MetadataValue.float(talk_rate),
                },
            ),
            AssetCheckResult(
                check_name="keys_unique_across_days",
                passed=not repeated,
                severity=AssetCheckSeverity.ERROR,
                metadata={"duplicate_rows": MetadataValue.json(repeated)},
            ),
        ],
    )


def _measure(connection, first_day: date | None, last_day: date | None) -> dict:
    """The checks' figures over the run's days: the attendee match and the conversation summary."""
    bounds = {"low": first_day or date.min, "high": last_day or date.max}
    external, matched = connection.execute(MATCH_RATE_SQL, bounds).fetchone()
    summary = conversation_summary(connection, first_day, last_day)
    return {
        "match": [external, matched],
        "conversations": asdict(summary),
        "trackers": top_trackers(connection, first_day, last_day),
        "deals": top_deals(connection, first_day, last_day),
    }


def _top_markdown(headers: tuple[str, ...], rows: list, empty: str) -> str:
    """The run's top trackers or deals as a table; names of trackers, deals and organizations only."""
    if not rows:
        return empty
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(["---"] + ["---:"] * (len(headers) - 1)) + " |"]
    return "\n".join(lines + ["| " + " | ".join("–" if value is None else str(value) for value in row) + " |" for row in rows])


def _stored_measures(measures: dict, first_day: date | None, last_day: date | None) -> dict | None:
    """The figures stored with the warehouse, when they cover the same days as this run."""
    stored = measures.get("conversations")
    if "match" not in measures or "deals" not in measures or stored is None:
        return None
    days = [None if stored[name] is None else date.fromisoformat(stored[name]) for name in ("first_day", "last_day")]
    return measures if days == [first_day, last_day] else None


def _summary(measures: dict) -> ConversationSummary:
    stored = dict(measures["conversations"])
    for name in ("first_day", "last_day"):
        value = stored[name]
        stored[name] = value if value is None or isinstance(value, date) else date.fromisoformat(value)
    stored["top_organizations"] = [tuple(row) for row in stored["top_organizations"]]
    return ConversationSummary(**stored)


def _run_days(context: AssetExecutionContext) -> tuple[date | None, date | None]:
    """The days the run loaded, from its partition tags; (None, None) when it names none (the whole warehouse)."""
    tags = context.run.tags
    first, last = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
    if first is None:
        first = last = tags.get("dagster/partition")
    if first is None:
        return None, None
    return date.fromisoformat(first), date.fromisoformat(last)
