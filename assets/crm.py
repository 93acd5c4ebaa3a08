"""CRM snapshot assets: every contact, organization, note, custom field, list and entry."""

import asyncio

from dagster import AssetCheckSpec, AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from assets.metadata import api_metadata, table_metadata, unique_key_result
from assets.resources import Lakehouse, RelateApi
from relate_pipeline.crm import crm_tables, fetch_crm
from relate_pipeline.quality import duplicate_keys
from relate_pipeline.tables import CRM_TABLES, TABLES


@multi_asset(
    specs=[AssetSpec(name, description=TABLES[name].description, group_name="crm", kinds={"parquet"}) for name in CRM_TABLES],
    check_specs=[AssetCheckSpec("unique_key", asset=name, description="No two rows share the table's natural key.") for name in CRM_TABLES],
)
def crm_snapshots(context: AssetExecutionContext, relate_api: RelateApi, lakehouse: Lakehouse):
    """Replace each CRM table's snapshot with the workspace's current state."""

    async def fetch():
        async with relate_api.async_client() as client:
            return await fetch_crm(client), client.stats.as_dict()

    resources, stats = asyncio.run(fetch())
    tables = crm_tables(resources)
    lake = lakehouse.lake
    for name in CRM_TABLES:
        lake.write_snapshot(name, tables[name])
    context.log.info(", ".join(f"{name}={tables[name].num_rows}" for name in CRM_TABLES))
    for name in CRM_TABLES:
        table = tables[name]
        yield MaterializeResult(
            asset_key=name,
            metadata={**table_metadata(name, table.num_rows), **api_metadata(stats)},
            check_results=[unique_key_result(name, duplicate_keys(table, TABLES[name].key))],
        )
