"""The DuckDB warehouse: built by exactly one asset, so there is never a second writer."""

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.crm import crm_snapshots
from assets.meetings import MEETING_TABLES_KEY
from assets.metadata import row_count_metadata
from assets.resources import Lakehouse
from relate_pipeline.warehouse import build_warehouse, cross_day_duplicates

MIN_MATCH_RATE = 0.5

MATCH_RATE_SQL = """
    SELECT count(*) AS external_attendees,
           count(*) FILTER (WHERE match_type <> 'none') AS matched
    FROM meeting_participants
    WHERE NOT is_internal
"""


@asset(
    deps=[MEETING_TABLES_KEY, crm_snapshots],
    group_name="warehouse",
    kinds={"duckdb"},
    description=(
        "warehouse.duckdb: a view over every lake table plus the joined analyst views "
        "meetings, meeting_participants, action_items and transcripts."
    ),
    check_specs=[
        AssetCheckSpec(
            "attendee_match_rate",
            asset="warehouse",
            description=f"At least {MIN_MATCH_RATE:.0%} of external attendees match a contact or an organization's domain.",
        ),
        AssetCheckSpec(
            "keys_unique_across_days",
            asset="warehouse",
            description="No event id or recording id on two days, and no key repeated in any meeting table across the whole lake.",
        ),
    ],
)
def warehouse(context: AssetExecutionContext, lakehouse: Lakehouse) -> MaterializeResult:
    settings = lakehouse.settings()
    counts = build_warehouse(settings.warehouse_path, lakehouse.lake, settings.internal_domains)
    with duckdb.connect(settings.warehouse_path, read_only=True) as connection:
        external, matched = connection.execute(MATCH_RATE_SQL).fetchone()
        repeated = {name: count for name, count in cross_day_duplicates(connection).items() if count}
    rate = matched / external if external else 1.0
    context.log.info(f"warehouse built at {settings.warehouse_path}; attendee match rate {rate:.1%}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(settings.warehouse_path),
            **row_count_metadata(counts),
            "attendee_match_rate": MetadataValue.float(rate),
        },
        check_results=[
            AssetCheckResult(
                check_name="attendee_match_rate",
                passed=rate >= MIN_MATCH_RATE,
                severity=AssetCheckSeverity.WARN,
                metadata={"external_attendees": external, "matched": matched, "rate": MetadataValue.float(rate)},
            ),
            AssetCheckResult(
                check_name="keys_unique_across_days",
                passed=not repeated,
                severity=AssetCheckSeverity.ERROR,
                metadata={"duplicate_rows": MetadataValue.json(repeated)},
            ),
        ],
    )
