"""AsyncRelateClient: same answers as the sync client, bounded fan-out, per-id failures."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from relate_pipeline.client import (
    AsyncRelateClient,
    AuthenticationError,
    ClientSettings,
    NotFoundError,
)
from tests.support.writing_client import WritingAsyncRelateClient


def _run(coroutine):
    return asyncio.run(coroutine)


def test_async_calendar_listing_matches_the_sync_listing(emulator, client, settings_for):
    async def listing():
        async with AsyncRelateClient(settings_for(emulator, page_size=10)) as async_client:
            return [event async for event in async_client.list_calendar_events()]

    assert _run(listing()) == list(client.list_calendar_events())


def test_async_get_recording_matches_the_sync_one(emulator, client, settings_for):
    event = next(iter(client.list_calendar_events()))
    recording_id = event["recordings"][0]["id"]

    async def fetch():
        async with AsyncRelateClient(settings_for(emulator)) as async_client:
            return await async_client.get_recording(recording_id)

    assert _run(fetch()) == client.get_recording(recording_id)


def test_async_find_contacts_returns_a_list(emulator, client, settings_for):
    contact = next(iter(client.list_contacts()))

    async def find():
        async with AsyncRelateClient(settings_for(emulator)) as async_client:
            return await async_client.find_contacts(email=contact["emails"][0])

    assert [c["id"] for c in _run(find())] == [contact["id"]]


def _done_recording_ids(client):
    return [
        recording["id"]
        for event in client.list_calendar_events()
        for recording in event["recordings"]
        if recording["status"] == "done"
    ]


def test_get_recordings_raw_yields_each_id_once_with_its_exact_body(emulator, client, settings_for):
    ids = _done_recording_ids(client)

    async def fetch():
        async with AsyncRelateClient(settings_for(emulator, max_concurrency=8)) as async_client:
            return [pair async for pair in async_client.get_recordings_raw(ids)]

    pairs = _run(fetch())
    assert sorted(rid for rid, _ in pairs) == sorted(ids)
    truth = emulator.admin.snapshot()["recordings"]
    assert all(orjson.loads(body) == {"data": truth[rid]} for rid, body in pairs)


def test_deleted_recording_is_reported_as_not_found_without_failing_the_batch(
    make_emulator, settings_for
):
    emulator = make_emulator(days=1, end_date="2026-05-20", meetings_per_day=6)
    snapshot = emulator.admin.snapshot()
    ids = sorted(rid for rid, r in snapshot["recordings"].items() if r["status"] == "done")
    emulator.admin.delete_recording(ids[0])

    async def fetch():
        async with AsyncRelateClient(settings_for(emulator)) as async_client:
            return dict([pair async for pair in async_client.get_recordings_raw(ids)])

    results = _run(fetch())
    assert isinstance(results[ids[0]], NotFoundError)
    assert all(isinstance(results[rid], bytes) for rid in ids[1:])


def test_async_note_create_update_delete_round_trip(crm_emulator, settings_for):
    organization_id = crm_emulator.admin.snapshot()["organizations"][0]["id"]

    async def round_trip():
        async with WritingAsyncRelateClient(settings_for(crm_emulator)) as async_client:
            note = await async_client.create_note({"organization_id": organization_id, "body": "a"})
            edited = await async_client.update_note(note["id"], {"body": "b"})
            deleted = await async_client.delete_note(note["id"])
            try:
                await async_client.get_note(note["id"])
            except NotFoundError:
                return edited["body"], deleted, "gone"
            return edited["body"], deleted, "still there"

    assert _run(round_trip()) == ("b", None, "gone")


def test_async_delete_with_a_json_body_removes_the_named_email(crm_emulator, settings_for):
    async def remove_email():
        async with WritingAsyncRelateClient(settings_for(crm_emulator)) as async_client:
            contact = await async_client.create_contact(
                {"first_name": "Chani", "emails": ["chani@sietch.example", "c@tabr.example"]}
            )
            await async_client.delete_contact_emails(contact["id"], ["c@tabr.example"])
            return (await async_client.get_contact(contact["id"]))["emails"]

    assert _run(remove_email()) == ["chani@sietch.example"]


def test_body_that_is_not_json_is_refused_naming_the_request_before_anything_is_sent(
    crm_emulator, settings_for
):
    async def create():
        async with WritingAsyncRelateClient(settings_for(crm_emulator)) as async_client:
            with pytest.raises(ValueError, match=r"^POST /v1/notes: the body cannot be sent"):
                await async_client.create_note({"organization_id": "x", "body": float("nan")})
            return async_client.stats.requests

    assert _run(create()) == 0


def test_fetch_many_raises_authentication_error_instead_of_yielding_it(emulator, settings_for):
    async def fetch():
        settings = settings_for(emulator, api_key="sk-not-the-key")
        async with AsyncRelateClient(settings) as async_client:
            return [pair async for pair in async_client.get_recordings_raw(["a1", "b2", "c3"])]

    with pytest.raises(AuthenticationError):
        _run(fetch())


def test_in_flight_requests_never_exceed_max_concurrency(make_emulator, settings_for):
    emulator = make_emulator(
        days=1, end_date="2026-05-20", meetings_per_day=6, latency_ms=40
    )
    ids = [
        rid for rid, r in emulator.admin.snapshot()["recordings"].items() if r["status"] == "done"
    ] * 4

    async def fetch():
        async with AsyncRelateClient(settings_for(emulator, max_concurrency=3)) as async_client:
            async for _ in async_client.get_recordings_raw(ids):
                pass
            return async_client.stats

    stats = _run(fetch())
    assert stats.requests == len(ids)
    assert 1 <= stats.peak_in_flight <= 3
