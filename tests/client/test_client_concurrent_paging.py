"""The async client fetches an offset-paged list's later pages at once, and verifies them.

A list that changes between the first page and the rest must still come back with nothing
duplicated and nothing that existed throughout missing: the verification notices the shift
(total_count, repeated ids) and walks end_cursor from there.
"""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta


from relate_pipeline.client import AsyncRelateClient, RelateClient
from tests.support.writing_client import WritingRelateClient


class _ChangesAfterTheFirstPage(AsyncRelateClient):
    """Runs `change` once the first page of a listing has been served, before any later page."""

    change = staticmethod(lambda: None)
    pages_served = 0

    async def _page(self, path, query):
        answer = await super()._page(path, query)
        self.pages_served += 1
        if self.pages_served == 1:
            self.change()
        return answer


def _listed(settings, method, change=lambda: None, **params):
    async def run():
        async with _ChangesAfterTheFirstPage(settings) as client:
            client.change = change
            items = [item["id"] async for item in getattr(client, method)(**params)]
            return items, client.stats

    return asyncio.run(run())


EMULATOR = dict(days=2, end_date="2026-05-20", meetings_per_day=12, contacts=60, max_page_size=7)


def test_every_contact_is_listed_once_with_later_pages_in_flight_together(
    module_emulator, settings_for
):
    contacts = [c["id"] for c in module_emulator.admin.snapshot()["contacts"]]
    listed, stats = _listed(settings_for(module_emulator, page_size=100), "list_contacts")
    assert listed == contacts
    assert stats.requests == math.ceil(len(contacts) / 7)
    assert stats.peak_in_flight > 1


def test_an_event_inserted_at_the_head_after_the_first_page_is_not_a_duplicate(
    module_emulator, settings_for
):
    settings = settings_for(module_emulator, page_size=5)
    before, _ = _listed(settings, "list_calendar_events")
    newest = max(
        datetime.fromisoformat(e["start_at"])
        for e in module_emulator.admin.snapshot()["calendar_events"]
    )
    inserted = []

    def insert():
        start = newest.astimezone(UTC) + timedelta(hours=1)
        inserted.append(module_emulator.admin.insert_event(start)["id"])

    listed, _ = _listed(settings, "list_calendar_events", insert)
    assert len(listed) == len(set(listed))
    assert [event for event in listed if event not in inserted] == before


def test_a_contact_deleted_beyond_the_first_page_leaves_the_rest_complete(
    make_emulator, settings_for
):
    emulator = make_emulator(days=1, end_date="2026-05-20", meetings_per_day=2, contacts=40)
    settings = settings_for(emulator, page_size=6)
    before = [c["id"] for c in emulator.admin.snapshot()["contacts"]]
    doomed = before[9]

    def delete():
        with WritingRelateClient(settings) as writer:
            writer.delete_contact(doomed)

    listed, _ = _listed(settings, "list_contacts", delete)
    assert listed == [contact for contact in before if contact != doomed]
