"""Injected faults: rate limiting, 5xx answers, dropped connections, latency and stalls; admin is exempt."""

from __future__ import annotations

import httpx
import pytest
from emulator_support import api_client

from relate_pipeline.emulator import EmulatorAdminError


EMULATOR = dict(seed=3, days=1, end_date="2026-05-20", meetings_per_day=4, contacts=10, organizations=3)


def test_faults_start_from_the_command_line_settings(make_emulator):
    process = make_emulator(days=1, meetings_per_day=2, contacts=5, organizations=2, error_rate=0.25, latency_ms=5, max_page_size=7)
    faults = process.admin.faults()
    assert (faults["error_rate"], faults["latency_ms"], faults["max_page_size"]) == (0.25, 5.0, 7)


def test_requests_beyond_the_rate_limit_get_429_with_an_integer_retry_after(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=1)
    with api_client(fresh_emulator) as client:
        responses = [client.get("/notes") for _ in range(6)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited and all(int(r.headers["Retry-After"]) >= 1 for r in limited)
    assert limited[0].json()["error"]["status"] == 429


def test_stats_count_rate_limited_requests(fresh_emulator):
    fresh_emulator.admin.set_faults(rate_limit=1)
    with api_client(fresh_emulator) as client:
        statuses = [client.get("/notes").status_code for _ in range(6)]
    assert fresh_emulator.admin.stats()["rate_limited"] == statuses.count(429)


def test_error_rate_one_answers_every_request_with_a_configured_status(fresh_emulator):
    fresh_emulator.admin.set_faults(error_rate=1.0, error_statuses=[503])
    with api_client(fresh_emulator) as client:
        statuses = {client.get("/organizations").status_code for _ in range(10)}
    assert statuses == {503}


def test_error_rate_half_fails_about_half_of_the_requests(fresh_emulator):
    fresh_emulator.admin.set_faults(error_rate=0.5)
    with api_client(fresh_emulator) as client:
        statuses = [client.get("/organizations").status_code for _ in range(200)]
    failures = [s for s in statuses if s >= 500]
    assert 60 <= len(failures) <= 140 and set(failures) <= {500, 502, 503}


def test_injected_errors_use_the_error_shape_and_are_counted(fresh_emulator):
    fresh_emulator.admin.set_faults(error_rate=1.0)
    with api_client(fresh_emulator) as client:
        body = client.get("/notes").json()
    assert body["error"]["status"] in (500, 502, 503) and fresh_emulator.admin.stats()["injected_errors"] == 1


def test_dropped_connections_end_without_a_response(fresh_emulator):
    fresh_emulator.admin.set_faults(drop_rate=1.0)
    with api_client(fresh_emulator) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/notes")
    assert fresh_emulator.admin.stats()["dropped"] == 1


def test_latency_outlasts_a_shorter_client_timeout(fresh_emulator):
    fresh_emulator.admin.set_faults(latency_ms=2000)
    with api_client(fresh_emulator, timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.get("/notes")


def test_spikes_stall_a_request_past_the_client_timeout(fresh_emulator):
    fresh_emulator.admin.set_faults(spike_rate=1.0, spike_ms=2000)
    with api_client(fresh_emulator, timeout=0.3) as client, pytest.raises(httpx.ReadTimeout):
        client.get("/notes")


def test_admin_routes_are_never_faulted(fresh_emulator):
    fresh_emulator.admin.set_faults(error_rate=1.0, drop_rate=1.0, rate_limit=0.5)
    assert [fresh_emulator.admin.stats()["total_requests"] for _ in range(5)] == [0] * 5


def test_max_page_size_caps_the_page(fresh_emulator):
    fresh_emulator.admin.set_faults(max_page_size=2)
    with api_client(fresh_emulator) as client:
        body = client.get("/contacts", params={"first": 50}).json()
    assert len(body["data"]) == 2 and body["pagination"]["end_cursor"] == 2 and body["pagination"]["has_next_page"]


def test_unknown_fault_setting_is_rejected_naming_it(fresh_emulator):
    with pytest.raises(EmulatorAdminError) as caught:
        fresh_emulator.admin.set_faults(chaos=1)
    assert caught.value.status == 422 and "chaos" in str(caught.value)


def test_probability_above_one_is_rejected(fresh_emulator):
    with pytest.raises(EmulatorAdminError) as caught:
        fresh_emulator.admin.set_faults(error_rate=2)
    assert caught.value.status == 422


def test_stats_count_requests_per_endpoint_and_reset(fresh_emulator):
    with api_client(fresh_emulator) as client:
        client.get("/notes")
        client.get("/notes")
        client.get("/recordings/ZZZZZZ")
    stats = fresh_emulator.admin.stats()
    assert stats["requests"] == {"GET /v1/notes": 2, "GET /v1/recordings/{id}": 1} and stats["statuses"] == {"200": 2, "404": 1}
    fresh_emulator.admin.reset_stats()
    assert fresh_emulator.admin.stats()["total_requests"] == 0
