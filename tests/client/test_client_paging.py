"""Pagination against the emulator: server-capped pages, and a list that shifts while paging."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from relate_pipeline.client import RelateClient


@pytest.fixture
def paged_emulator(make_emulator):
    return make_emulator(days=2, end_date="2026-05-20", meetings_per_day=10, max_page_size=7)


def test_listing_follows_the_cursor_when_the_server_serves_smaller_pages(
    paged_emulator, settings_for
):
    exposed = [e for e in paged_emulator.admin.snapshot()["calendar_events"] if e["exposed"]]
    with RelateClient(settings_for(paged_emulator, page_size=100)) as client:
        listed = [event["id"] for event in client.list_calendar_events()]
        assert sorted(listed) == sorted(e["id"] for e in exposed)
        assert client.stats.requests == math.ceil(len(exposed) / 7)


def test_every_contact_is_listed_once_across_capped_pages(paged_emulator, settings_for):
    contacts = paged_emulator.admin.snapshot()["contacts"]
    with RelateClient(settings_for(paged_emulator, page_size=25)) as client:
        listed = [contact["id"] for contact in client.list_contacts()]
    assert sorted(listed) == sorted(c["id"] for c in contacts) and len(contacts) > 7


def test_event_inserted_at_the_head_mid_listing_causes_no_duplicate(paged_emulator, settings_for):
    with RelateClient(settings_for(paged_emulator, page_size=5)) as client:
        before = [event["id"] for event in client.list_calendar_events()]
        pages = client.list_calendar_events()
        first_page = [next(pages)["id"] for _ in range(5)]
        newest = max(datetime.fromisoformat(e["start_at"]) for e in client.list_calendar_events())
        inserted = paged_emulator.admin.insert_event(newest.astimezone(UTC) + timedelta(hours=1))
        rest = [event["id"] for event in pages]
    assert inserted["id"] not in first_page + rest
    assert first_page + rest == before
