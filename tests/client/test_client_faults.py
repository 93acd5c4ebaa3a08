"""Resilience against the emulator's injected faults: 429, 5xx, drops, stalls, bad keys."""

from __future__ import annotations

import asyncio
import logging

import pytest

from relate_pipeline.client import (
    AsyncRelateClient,
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    RelateClient,
    RelateError,
    ServerError,
    TransportError,
    ValidationError,
)
from tests.support.writing_client import WritingRelateClient

NO_FAULTS = {
    "latency_ms": 0,
    "spike_rate": 0,
    "spike_ms": 0,
    "rate_limit": None,
    "error_rate": 0,
    "drop_rate": 0,
}


EMULATOR = dict(seed=5, days=2, end_date="2026-05-20", meetings_per_day=8, contacts=20, organizations=5)


@pytest.fixture
def admin(fresh_emulator):
    """The admin client of the module's emulator, reset (whether a fault hits a request does not
    depend on which tests ran before; the rate gates forget what they learned after every test)."""
    return fresh_emulator.admin


@pytest.fixture(scope="module")
def recording_bodies(module_emulator):
    """Ground truth: the raw detail body each done recording should be served with."""
    snapshot = module_emulator.admin.snapshot()
    return {
        rid: detail for rid, detail in snapshot["recordings"].items() if detail["status"] == "done"
    }


def _fetch_all(settings, ids):
    async def run():
        async with AsyncRelateClient(settings) as client:
            results = {rid: body async for rid, body in client.get_recordings_raw(ids)}
            return results, client.stats

    return asyncio.run(run())


def test_rate_limited_fetches_complete_and_count_the_429s(
    module_emulator, admin, settings_for, recording_bodies
):
    admin.set_faults(rate_limit=4)
    ids = sorted(recording_bodies)[:10]
    results, stats = _fetch_all(settings_for(module_emulator, max_concurrency=4), ids)
    assert all(isinstance(body, bytes) for body in results.values()) and len(results) == 10
    assert stats.rate_limited > 0
    assert stats.retries == stats.rate_limited


def test_a_429_outlasting_retries_names_its_retry_after_and_starts_pacing_the_api(
    module_emulator, admin, settings_for, recording_bodies
):
    admin.set_faults(rate_limit=1)
    recording_id = next(iter(recording_bodies))
    with RelateClient(settings_for(module_emulator, max_retries=0)) as client:
        assert client.stats.as_dict()["rate_found_per_minute"] == 0
        client.get_recording_raw(recording_id)
        with pytest.raises(RateLimitedError) as caught:
            client.get_recording_raw(recording_id)
        assert client.stats.as_dict()["rate_found_per_minute"] > 0
    assert (caught.value.status, caught.value.retry_after) == (429, 1.0)


def test_server_error_bursts_are_retried_until_every_read_succeeds(
    module_emulator, admin, settings_for, recording_bodies
):
    admin.set_faults(error_rate=0.4)
    ids = sorted(recording_bodies)
    results, stats = _fetch_all(settings_for(module_emulator, max_retries=10), ids)
    assert {rid: outcome for rid, outcome in results.items() if not isinstance(outcome, bytes)} == {}
    assert len(results) == len(ids)
    assert stats.server_errors > 0
    assert stats.retries == stats.server_errors


def test_server_errors_outlasting_retries_raise_server_error_with_status(
    module_emulator, admin, settings_for
):
    admin.set_faults(error_rate=1.0)
    with RelateClient(settings_for(module_emulator, max_retries=2)) as client:
        with pytest.raises(ServerError) as caught:
            client.get_note("abcdef")
        assert caught.value.status in {500, 502, 503}
        assert client.stats.requests == 3


def test_create_is_not_retried_after_a_server_error(module_emulator, admin, settings_for):
    organization_id = module_emulator.admin.snapshot()["organizations"][0]["id"]
    admin.set_faults(error_rate=1.0)
    with WritingRelateClient(settings_for(module_emulator)) as client:
        with pytest.raises(ServerError):
            client.create_note({"organization_id": organization_id, "body": "once only"})
        assert (client.stats.requests, client.stats.retries) == (1, 0)


def test_create_refused_with_429_is_retried_and_stored_once(module_emulator, admin, settings_for):
    organization_id = admin.snapshot()["organizations"][0]["id"]
    notes_before = len(admin.snapshot()["notes"])
    admin.set_faults(rate_limit=1)
    with WritingRelateClient(settings_for(module_emulator)) as client:
        client.get_organization(organization_id)
        note = client.create_note({"organization_id": organization_id, "body": "after a 429"})
        assert (client.stats.rate_limited, client.stats.requests) == (1, 3)
    notes = admin.snapshot()["notes"]
    assert len(notes) == notes_before + 1 and note["id"] in {n["id"] for n in notes}


def test_dropped_connections_are_retried_until_every_read_succeeds(
    module_emulator, admin, settings_for, recording_bodies
):
    admin.set_faults(drop_rate=0.3)
    admin.reset_stats()
    ids = sorted(recording_bodies)
    results, _ = _fetch_all(settings_for(module_emulator, max_retries=10), ids)
    assert all(isinstance(body, bytes) for body in results.values()) and len(results) == len(ids)
    assert admin.stats()["dropped"] > 0


def test_drops_outlasting_retries_raise_transport_error_naming_the_request(
    module_emulator, admin, settings_for
):
    admin.set_faults(drop_rate=1.0)
    with RelateClient(settings_for(module_emulator, max_retries=1)) as client:
        with pytest.raises(TransportError, match=r"^GET /v1/recordings/abcdef -> "):
            client.get_recording("abcdef")
        assert client.stats.transport_errors == 2


def test_stalls_beyond_the_read_timeout_are_retried_until_success(
    module_emulator, admin, settings_for, recording_bodies
):
    admin.set_faults(spike_rate=0.3, spike_ms=3000)
    ids = sorted(recording_bodies)[:12]
    settings = settings_for(module_emulator, timeout=0.25, max_retries=10)
    results, stats = _fetch_all(settings, ids)
    assert all(isinstance(body, bytes) for body in results.values()) and len(results) == 12
    assert stats.transport_errors > 0


def test_stall_outlasting_retries_raises_transport_error_naming_the_timeout(
    module_emulator, admin, settings_for
):
    admin.set_faults(spike_rate=1.0, spike_ms=2000)
    settings = settings_for(module_emulator, timeout=0.2, max_retries=1)
    with RelateClient(settings) as client:
        with pytest.raises(TransportError, match="ReadTimeout"):
            client.get_recording("abcdef")


def test_async_stall_outlasting_retries_raises_transport_error_naming_the_timeout(
    module_emulator, admin, settings_for
):
    admin.set_faults(spike_rate=1.0, spike_ms=2000)

    async def fetch():
        settings = settings_for(module_emulator, timeout=0.2, max_retries=1)
        async with AsyncRelateClient(settings) as client:
            await client.get_recording("abcdef")

    with pytest.raises(TransportError, match=r"^GET /v1/recordings/abcdef -> ReadTimeout"):
        asyncio.run(fetch())


def test_retry_log_names_the_request_but_never_the_key(
    module_emulator, admin, settings_for, caplog
):
    admin.set_faults(error_rate=1.0)
    with caplog.at_level(logging.INFO, logger="relate_pipeline.client"):
        with RelateClient(settings_for(module_emulator, max_retries=2)) as client:
            with pytest.raises(ServerError):
                client.get_note("abcdef")
    assert "GET /v1/notes/abcdef failed (HTTP 50" in caplog.text
    assert module_emulator.api_key not in caplog.text


def test_wrong_key_raises_authentication_error_without_retrying(module_emulator, settings_for):
    with RelateClient(settings_for(module_emulator, api_key="sk-not-the-key")) as client:
        with pytest.raises(AuthenticationError) as caught:
            list(client.list_contacts())
        assert caught.value.status == 401
        assert (client.stats.requests, client.stats.retries) == (1, 0)


def _collect_errors(emulator, admin, settings_for) -> list[RelateError]:
    errors: list[RelateError] = []

    def capture(call):
        try:
            call()
        except RelateError as exc:
            errors.append(exc)

    wrong_key = "sk-wrong-" + emulator.api_key
    with RelateClient(settings_for(emulator, api_key=wrong_key)) as client:
        capture(lambda: client.get_contact("abcdef"))
    with WritingRelateClient(settings_for(emulator, max_retries=0)) as client:
        capture(lambda: client.get_contact("abcdef"))
        capture(lambda: client.create_contact({"last_name": "x"}))
        admin.set_faults(error_rate=1.0)
        capture(lambda: client.get_contact("abcdef"))
        admin.set_faults(error_rate=0, drop_rate=1.0)
        capture(lambda: client.get_contact("abcdef"))
        admin.set_faults(drop_rate=0, rate_limit=1)
        for _ in range(2):
            capture(lambda: client.get_contact("abcdef"))
    admin.set_faults(rate_limit=None, spike_rate=1.0, spike_ms=1000)
    with RelateClient(settings_for(emulator, max_retries=0, timeout=0.2)) as client:
        capture(lambda: client.get_contact("abcdef"))
    return errors


def test_no_error_text_or_repr_contains_the_api_key(module_emulator, admin, settings_for):
    errors = _collect_errors(module_emulator, admin, settings_for)
    kinds = {type(e) for e in errors}
    assert {AuthenticationError, NotFoundError, ValidationError, ServerError, TransportError,
            RateLimitedError} <= kinds
    for error in errors:
        for text in (str(error), repr(error), str(error.__cause__), repr(error.__cause__)):
            assert module_emulator.api_key not in text
            assert "Authorization" not in text and "Bearer" not in text


def _chain(error: BaseException) -> list[BaseException]:
    """The error and every exception it was raised from or while handling."""
    chain, current = [], error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _collect_async_errors(emulator, admin, settings_for) -> list[RelateError]:
    async def capture(errors, call):
        try:
            await call()
        except RelateError as exc:
            errors.append(exc)

    async def run() -> list[RelateError]:
        errors: list[RelateError] = []
        wrong_key = "sk-wrong-" + emulator.api_key
        async with AsyncRelateClient(settings_for(emulator, api_key=wrong_key)) as client:
            await capture(errors, lambda: client.get_contact("abcdef"))
        settings = settings_for(emulator, max_retries=0, timeout=0.2)
        async with AsyncRelateClient(settings) as client:
            await capture(errors, lambda: client.get_contact("abcdef"))
            for faults in ({"error_rate": 1.0}, {"drop_rate": 1.0}, {"spike_rate": 1.0}):
                admin.set_faults(**{**NO_FAULTS, "spike_ms": 1000, **faults})
                await capture(errors, lambda: client.get_contact("abcdef"))
        return errors

    return asyncio.run(run())


def test_no_async_error_or_anything_in_its_chain_shows_the_api_key(
    module_emulator, admin, settings_for
):
    errors = _collect_async_errors(module_emulator, admin, settings_for)
    assert {type(e) for e in errors} == {
        AuthenticationError, NotFoundError, ServerError, TransportError
    }
    for error in errors:
        for link in _chain(error):
            for text in (str(link), repr(link)):
                assert module_emulator.api_key not in text
                assert "Authorization" not in text and "Bearer" not in text
