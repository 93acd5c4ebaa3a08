"""A CRM snapshot taken while the workspace changes: deletions between listing and fetching."""

from __future__ import annotations

import asyncio

from relate_pipeline.crm.fetch import fetch_crm
from tests.support.writing_client import WritingAsyncRelateClient


class _DeletesAListOnceListed(WritingAsyncRelateClient):
    """Deletes the first list through the API right after the lists were listed, as a user might."""

    deleted: str | None = None
    entries_before = 0

    async def list_lists(self, **params):
        async for item in super().list_lists(**params):
            yield item
        first = await anext(aiter(super().list_lists()))
        self.deleted = first["id"]
        self.entries_before = len([e async for e in super().list_entries(first["id"])])
        await self.delete_list(first["id"])


def test_a_list_deleted_before_its_entries_are_read_gets_none_and_a_warning(
    crm_emulator, settings_for
):
    async def snapshot():
        async with _DeletesAListOnceListed(settings_for(crm_emulator)) as client:
            warnings: list[str] = []
            resources = await fetch_crm(client, warnings)
            return resources, warnings, client.deleted, client.entries_before

    resources, warnings, deleted, entries_before = asyncio.run(snapshot())
    assert entries_before > 0
    assert deleted in {item["id"] for item in resources["lists"]}
    assert not [e for e in resources["list_entries"] if e.get("list_id") == deleted]
    assert resources["list_entries"], "the other lists' entries are still read"
    assert warnings == [f"list {deleted!r} was deleted while the snapshot was taken; no entries"]
