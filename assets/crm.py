"""The CRM snapshot: every contact, organization, note, custom field, list and entry, and the
changes each snapshot brings to the contacts', organizations' and list entries' history."""

import asyncio
from datetime import datetime, timezone

from dagster import AssetCheckSpec, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.metadata import api_metadata, row_count_metadata, tables_definition_metadata, unique_keys_result
from assets.pools import LAKE_POOL
from assets.resources import Lakehouse, RelateApi
from relate_pipeline.crm.fetch import crm_tables, fetch_crm, replace_changed_snapshots
from relate_pipeline.crm.history import record_history
from relate_pipeline.governance.contacts import without_forgotten_contacts
from relate_pipeline.governance.suppression import SuppressionStore
from relate_pipeline.quality import duplicate_keys
from relate_pipeline.tables import CRM_TABLES, TABLES


@asset(
    group_name="crm",
    kinds={"python", "parquet"},
    description=(
        "The workspace's CRM side, fetched whole each run and written only where it changed: " + ", ".join(CRM_TABLES)
        + ". One asset for the eight tables, because one concurrent listing fetches them together."
    ),
    metadata=tables_definition_metadata(CRM_TABLES),
    check_specs=[
        AssetCheckSpec(
            "unique_keys", asset="crm_snapshots", blocking=True, description="No two rows of a table share its natural key."
        )
    ],
    pool=LAKE_POOL,
)
def crm_snapshots(context: AssetExecutionContext, relate_api: RelateApi, lakehouse: Lakehouse) -> MaterializeResult:
    """Replace each CRM table's snapshot whose content differs from the workspace's current state."""

    warnings: list[str] = []

    async def fetch():
        async with relate_api.async_client() as client:
            return await fetch_crm(client, warnings), client.stats.as_dict()

    taken_at = datetime.now(timezone.utc)
    resources, stats = asyncio.run(fetch())
    tables = crm_tables(resources)
    for warning in warnings:
        context.log.warning(warning)
    tables, suppressed = without_forgotten_contacts(tables, SuppressionStore(lakehouse.data_dir).load())
    changes = record_history(lakehouse.lake, tables, taken_at)
    written = replace_changed_snapshots(lakehouse.lake, {name: tables[name] for name in CRM_TABLES})
    rows = {name: tables[name].num_rows for name in CRM_TABLES}
    context.log.info(", ".join(f"{name}={count}" for name, count in rows.items()))
    return MaterializeResult(
        metadata={
            **row_count_metadata(rows),
            **api_metadata(stats),
            **({"warnings": MetadataValue.json(warnings)} if warnings else {}),
            "tables_rewritten": MetadataValue.json(written),
            "tables_unchanged": len(CRM_TABLES) - len(written),
            **{f"history/{name}": MetadataValue.int(count) for name, count in changes.items()},
            "contacts_suppressed": suppressed,
        },
        check_results=[unique_keys_result({name: duplicate_keys(tables[name], TABLES[name].key) for name in CRM_TABLES})],
    )
