"""The CRM side of the workspace (contacts, organizations, notes, custom fields, lists, entries).

These are small, unpartitioned and refreshed whole each run: listing them concurrently takes
about as long as the slowest listing. A snapshot whose content did not change is not written
again, so its file keeps its bytes and modification time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pyarrow as pa

from relate_pipeline.client import AsyncRelateClient, NotFoundError
from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.lake import Lake
from relate_pipeline.tables import conform


async def _collect(items: AsyncIterator[dict]) -> list[dict]:
    return [item async for item in items]


async def _entries_unless_deleted(
    client: AsyncRelateClient, list_id: str, warnings: list[str]
) -> list[dict]:
    """A list's entries; none, with a warning, if the list was deleted since it was listed."""
    try:
        return await _collect(client.list_entries(list_id))
    except NotFoundError:
        warnings.append(f"list {list_id!r} was deleted while the snapshot was taken; no entries")
        return []


async def fetch_crm(
    client: AsyncRelateClient, warnings: list[str] | None = None
) -> dict[str, list[dict]]:
    """Every CRM resource, keyed by the name ``flatten_crm`` takes.

    The workspace is live: a list deleted between the listing of lists and its entries (404)
    keeps its row and gets no entries, and a line saying so is added to `warnings`.
    """
    warnings = [] if warnings is None else warnings
    contacts, organizations, notes, custom_fields, lists = await asyncio.gather(
        _collect(client.list_contacts()),
        _collect(client.list_organizations()),
        _collect(client.list_notes()),
        _collect(client.list_custom_fields()),
        _collect(client.list_lists()),
    )
    entries = await asyncio.gather(
        *(_entries_unless_deleted(client, item["id"], warnings) for item in lists)
    )
    return {
        "contacts": contacts,
        "organizations": organizations,
        "notes": notes,
        "custom_fields": custom_fields,
        "lists": lists,
        "list_entries": [entry for per_list in entries for entry in per_list],
    }


def crm_tables(resources: dict[str, list[dict]]) -> dict[str, pa.Table]:
    tables: dict[str, pa.Table] = {}
    for resource, items in resources.items():
        tables.update(flatten_crm(resource, items))
    return tables


def replace_changed_snapshots(lake: Lake, tables: dict[str, pa.Table]) -> list[str]:
    """Write each table's snapshot unless the stored one holds the same rows; returns the tables written."""
    written = []
    for name, table in tables.items():
        table = conform(name, table)
        stored = lake.read_snapshot(name)
        if stored is None or not stored.equals(table):
            lake.write_snapshot(name, table)
            written.append(name)
    return written
