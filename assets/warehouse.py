"""The DuckDB warehouse: built by exactly one asset, so there is never a second writer.

The asset rebuilds the file only when its inputs changed (``refresh_warehouse``); the checks'
figures are measured on each new file and stored in it, so a run that changed no lake file
reports the figures measured on exactly the files it would have read, without rebuilding.
"""

from dataclasses import asdict
from datetime import date
from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.automation import RANGE_END_TAG, RANGE_START_TAG
from assets.crm import crm_snapshots
from assets.meetings import MEETING_TABLES_KEY
from assets.metadata import row_count_metadata
from assets.resources import Lakehouse
from relate_pipeline.warehouse.conversation import ConversationSummary, conversation_summary
from relate_pipeline.warehouse.build import cross_day_duplicates, open_warehouse, refresh_warehouse

MIN_MATCH_RATE = 0.5
MIN_TALK_RESOLUTION = 0.4

MATCH_RATE_SQL = """
    SELECT count(*) AS external_attendees,
           count(*) FILTER (WHERE match_type <> 'none') AS matched
    FROM meeting_participants
    WHERE NOT is_internal
"""

MEASURED_BY = Path(__file__).read_text()
"""How the checks' figures are taken is part of a build's inputs: a change here rebuilds."""


@asset(
    deps=[MEETING_TABLES_KEY, crm_snapshots],
    group_name="warehouse",
    kinds={"duckdb"},
    description=(
        "warehouse.duckdb: a view over every lake table plus the joined analyst views "
        "meetings, meeting_participants, action_items and transcripts, and the conversation views "
        "speaker_stats, recording_stats and organization_activity."
    ),
    check_specs=[
        AssetCheckSpec(
            "attendee_match_rate",
            asset="warehouse",
            description=f"At least {MIN_MATCH_RATE:.0%} of external attendees match a contact or an organization's domain.",
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
            description="No event id or recording id on two days, and no key repeated in any meeting table across the whole lake.",
        ),
    ],
)
def warehouse(context: AssetExecutionContext, lakehouse: Lakehouse) -> MaterializeResult:
    path, lake = lakehouse.warehouse_file, lakehouse.lake
    first_day, last_day = _run_days(context)
    build = refresh_warehouse(
        path, lake, lakehouse.internal_domains, lambda connection: _measure(connection, first_day, last_day), MEASURED_BY
    )
    external, matched = build.measures["match"]
    repeated = build.measures["repeated"]
    summary = _stored_summary(build.measures, first_day, last_day)
    if summary is None:
        with open_warehouse(path, lake) as connection:
            summary = conversation_summary(connection, first_day, last_day)
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
    """The checks' figures on a new warehouse file, stored in it: the two whole-lake ones, and the
    conversation summary of the days of the run that built it."""
    external, matched = connection.execute(MATCH_RATE_SQL).fetchone()
    repeated = {name: count for name, count in cross_day_duplicates(connection).items() if count}
    summary = conversation_summary(connection, first_day, last_day)
    return {"match": [external, matched], "repeated": repeated, "conversations": asdict(summary)}


def _stored_summary(measures: dict, first_day: date | None, last_day: date | None) -> ConversationSummary | None:
    """The stored conversation summary, when it covers the same days as this run."""
    stored = dict(measures["conversations"])
    days = [None if stored[name] is None else date.fromisoformat(stored[name]) for name in ("first_day", "last_day")]
    if days != [first_day, last_day]:
        return None
    stored["first_day"], stored["last_day"] = days
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
