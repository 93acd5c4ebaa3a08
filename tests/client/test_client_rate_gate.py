"""The process-wide rate gate: shared by sync and async clients, strictest limit wins."""

from __future__ import annotations

import asyncio

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient
from relate_pipeline.client.ratelimit import RateGate, gate_for


def _settings(base_url: str, rate: float | None) -> ClientSettings:
    return ClientSettings(base_url=base_url, api_key="k", rate_limit=rate)


def test_sync_and_async_clients_on_one_base_url_share_one_limit():
    url = "http://127.0.0.1:9/shared-gate"
    sync_client = RelateClient(_settings(url, 5.0))
    async_client = AsyncRelateClient(_settings(url, None))
    assert gate_for(url).rate == 5.0
    sync_client.close()
    asyncio.run(async_client.aclose())


def test_strictest_live_rate_applies_and_is_lifted_when_its_client_closes():
    url = "http://127.0.0.1:9/strictest-gate"
    relaxed = RelateClient(_settings(url, 50.0))
    strict = RelateClient(_settings(url, 2.0))
    assert gate_for(url).rate == 2.0
    strict.close()
    assert gate_for(url).rate == 50.0
    relaxed.close()
    assert gate_for(url).rate is None


def test_different_base_urls_get_independent_gates():
    assert gate_for("http://127.0.0.1:9/a") is not gate_for("http://127.0.0.1:9/b")


def test_reservations_are_spaced_one_over_rate_apart():
    gate = RateGate()
    gate.claim(10.0)
    delays = [gate.reserve() for _ in range(4)]
    assert [round(b - a, 3) for a, b in zip(delays, delays[1:])] == [0.1, 0.1, 0.1]


def test_pause_delays_the_next_reservation_by_the_pause():
    gate = RateGate()
    gate.pause(5.0)
    assert 4.5 < gate.reserve() <= 5.0


def test_client_rate_limit_keeps_a_burst_under_the_server_limit(make_emulator, settings_for):
    emulator = make_emulator(days=1, end_date="2026-05-20", meetings_per_day=8, rate_limit=8)
    ids = [
        rid for rid, r in emulator.admin.snapshot()["recordings"].items() if r["status"] == "done"
    ][:14]

    async def fetch():
        settings = settings_for(emulator, rate_limit=6.0, max_concurrency=8)
        async with AsyncRelateClient(settings) as client:
            async for _ in client.get_recordings_raw(ids):
                pass
            return client.stats

    stats = asyncio.run(fetch())
    assert (stats.requests, stats.rate_limited) == (len(ids), 0)
