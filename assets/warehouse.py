"""The DuckDB warehouse: built by exactly one asset, so there is never a second writer."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.crm import crm_snapshots
from assets.meetings import MEETING_TABLES_KEY
from assets.metadata import row_count_metadata
from assets.resources import Lakehouse
from relate_pipeline.warehouse import build_warehouse, open_warehouse

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
        )
    ],
)
def warehouse(context: AssetExecutionContext, lakehouse: Lakehouse) -> MaterializeResult:
    settings = lakehouse.settings()
    path, lake = settings.warehouse_path, lakehouse.lake
    counts = build_warehouse(path, lake, settings.internal_domains)
    with open_warehouse(path, lake) as connection:
        external, matched = connection.execute(MATCH_RATE_SQL).fetchone()
    rate = matched / external if external else 1.0
    context.log.info(f"warehouse built at {path}; attendee match rate {rate:.1%}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(path),
            **row_count_metadata(counts),
            "attendee_match_rate": MetadataValue.float(rate),
        },
        check_results=[
            AssetCheckResult(
                check_name="attendee_match_rate",
                passed=rate >= MIN_MATCH_RATE,
                severity=AssetCheckSeverity.WARN,
                metadata={"external_attendees": external, "matched": matched, "rate": MetadataValue.float(rate)},
            )
        ],
    )
