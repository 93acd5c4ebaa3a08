"""The process-wide rate gate: shared by every client of a base URL, and finding the server's limit.

What the gate achieves against a limit (the share of answers refused, the rate kept after the
first seconds) is specified on simulated time (gate_simulation.py: the real gate against the
emulator's own limiters, nothing sleeping), so those figures are exact for a seeded, fully
deterministic run; the HTTP tests at the end check the same behaviour against the emulator over
sockets, in real time, with wider margins.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from gate_simulation import SimClock, fixed_window, run, token_bucket
from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient
from relate_pipeline.client.ratelimit import Hold, RateGate, Ticket, forget_all, gate_for

LIMITS = [
    pytest.param(token_bucket, 5, id="token-bucket-5"),
    pytest.param(token_bucket, 10, id="token-bucket-10"),
    pytest.param(token_bucket, 50, id="token-bucket-50"),
    pytest.param(fixed_window, 5, id="fixed-window-5"),
    pytest.param(fixed_window, 10, id="fixed-window-10"),
    pytest.param(fixed_window, 50, id="fixed-window-50"),
]
BURST_OF_ONE = [pytest.param(rate, id=f"burst-1-{rate}") for rate in (5, 10, 50)]
# A loaded event loop on loopback: timers and sends late by 0.5 ms on average, and the loop
# stalling twice a second for 20 ms on average (gate_simulation.py). A burst-1 bucket refuses
# what such a loop bunches.
BUSY_LOOP = {"jitter_s": 0.0005, "stalls_per_s": 2.0, "stall_s": 0.02}


def _settings(base_url: str, rate: float | None) -> ClientSettings:
    return ClientSettings(base_url=base_url, api_key="k", rate_limit=rate)


def test_sync_and_async_clients_on_one_base_url_share_one_limit():
    url = "http://127.0.0.1:9/shared-gate"
    sync_client = RelateClient(_settings(url, 5.0))
    async_client = AsyncRelateClient(_settings(url, None))
    assert gate_for(url).ceiling == 5.0
    sync_client.close()
    asyncio.run(async_client.aclose())


def test_strictest_live_rate_applies_and_is_lifted_when_its_client_closes():
    url = "http://127.0.0.1:9/strictest-gate"
    relaxed = RelateClient(_settings(url, 50.0))
    strict = RelateClient(_settings(url, 2.0))
    assert gate_for(url).ceiling == 2.0
    strict.close()
    assert gate_for(url).ceiling == 50.0
    relaxed.close()
    assert gate_for(url).ceiling is None


def test_different_base_urls_get_independent_gates():
    assert gate_for("http://127.0.0.1:9/a") is not gate_for("http://127.0.0.1:9/b")


@pytest.mark.parametrize(("limit", "rate"), LIMITS)
def test_an_unannounced_limit_is_found_with_few_429s_and_kept_close_to(limit, rate):
    outcome = run(limit(rate), requests=max(1000, 30 * rate))
    assert outcome.refused_share <= 0.03
    assert outcome.throughput_after(10.0) >= 0.9 * rate


@pytest.mark.parametrize(("limit", "rate"), LIMITS)
def test_a_short_run_against_an_unannounced_limit_stays_polite(limit, rate):
    outcome = run(limit(rate), requests=max(200, 25 * rate))
    assert outcome.refused_share <= 0.05


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_275_requests_against_an_unannounced_bucket_of_10_draw_at_most_5_percent_429s(seed):
    outcome = run(token_bucket(10), requests=275, seed=seed, **BUSY_LOOP)
    assert outcome.refused_share <= 0.05
    assert outcome.throughput_after(10.0) >= 0.95 * 10


@pytest.mark.parametrize("rate", BURST_OF_ONE)
def test_a_burst_of_one_is_found_without_headers(rate):
    outcome = run(token_bucket(rate, burst=1), requests=max(200, 25 * rate))
    assert outcome.refused_share <= 0.05
    assert outcome.throughput_after(10.0) >= 0.88 * rate


@pytest.mark.parametrize("rate", BURST_OF_ONE)
def test_a_burst_of_one_is_kept_to_on_a_busy_event_loop(rate):
    outcome = run(token_bucket(rate, burst=1), requests=max(200, 25 * rate), **BUSY_LOOP)
    assert outcome.refused_share <= 0.05
    assert outcome.throughput_after(10.0) >= 0.8 * rate


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_fixed_window_of_50_is_kept_to_on_a_busy_event_loop(seed):
    outcome = run(fixed_window(50), requests=1250, seed=seed, **BUSY_LOOP)
    assert outcome.refused_share <= 0.05
    assert outcome.throughput_after(10.0) >= 0.85 * 50


@pytest.mark.parametrize(("limit", "rate"), [*LIMITS, pytest.param(lambda r: token_bucket(r, 1), 20, id="burst-1-20")])
@pytest.mark.parametrize("loop", [pytest.param({}, id="ideal"), pytest.param(BUSY_LOOP, id="busy")])
def test_an_announced_limit_is_kept_from_the_first_answer_on(limit, rate, loop):
    outcome = run(limit(rate), requests=300, headers=True, **loop)
    assert outcome.refused <= 2
    assert 0.88 * rate <= outcome.throughput_after(2.0) <= rate


def test_without_a_limit_nothing_is_paced():
    unlimited = run(None, requests=2000)
    assert unlimited.refused == 0
    # 2,000 requests by 32 workers at 50 ms each: the latency bound, plus slow start's ramp.
    assert unlimited.finished_at <= 2000 / 32 * 0.05 + 0.5


def test_a_fixed_ceiling_holds_even_when_the_server_allows_more():
    outcome = run(token_bucket(50), requests=400, ceiling=10.0)
    assert outcome.refused == 0
    assert 0.99 * 10.0 <= outcome.throughput_after(2.0) <= 10.0 * 1.01


def test_a_fixed_ceiling_under_an_unannounced_limit_still_adapts_below_it():
    outcome = run(token_bucket(5), requests=300, ceiling=10.0)
    assert outcome.refused_share <= 0.05
    assert outcome.throughput_after(10.0) >= 0.9 * 5


def test_a_429s_retry_after_holds_every_request_until_it_has_passed():
    clock = SimClock()
    gate = RateGate(clock=clock)
    ticket = gate.admit()
    assert isinstance(ticket, Ticket)
    gate.settle(ticket, 429, {}, retry_after=3.0)
    assert gate.admit() == Hold(3.0)
    clock.now = 3.0
    assert isinstance(gate.admit(), Ticket)


def test_a_huge_retry_after_is_cut_to_the_cap():
    clock = SimClock()
    gate = RateGate(clock=clock)
    gate.settle(gate.admit(), 429, {}, retry_after=86_400.0, pause_cap=120.0)
    assert gate.admit() == Hold(120.0)


def test_a_spent_quota_without_a_policy_holds_every_request_until_its_reset():
    clock = SimClock()
    gate = RateGate(clock=clock)
    gate.settle(gate.admit(), 200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4"})
    assert gate.admit() == Hold(4.0)


def test_the_rate_found_is_logged_once(caplog):
    caplog.set_level(logging.INFO, logger="relate_pipeline.client")
    run(token_bucket(10), requests=300)
    found = [r for r in caplog.records if "pacing every request" in r.getMessage()]
    assert len(found) == 1


@pytest.mark.parametrize(("limit", "rate"), LIMITS)
def test_the_rate_found_is_near_the_limit(limit, rate):
    assert 0.8 * rate <= run(limit(rate), requests=max(200, 25 * rate)).rate_found <= 1.3 * rate


ANNOUNCED = {"RateLimit-Policy": "50;w=1", "RateLimit-Remaining": "0"}


def _announced_gate() -> tuple[SimClock, RateGate]:
    clock = SimClock()
    gate = RateGate(clock=clock)
    gate.settle(gate.admit(), 200, ANNOUNCED)
    return clock, gate


def _send(clock: SimClock, gate: RateGate) -> Ticket:
    """A ticket as soon as the gate gives one, the clock moved to each hold's end."""
    outcome = gate.admit()
    while isinstance(outcome, Hold):
        clock.now += outcome.seconds
        outcome = gate.admit(outcome)
    return outcome


def test_a_rare_429_under_an_announced_rate_leaves_the_pace_alone():
    clock, gate = _announced_gate()
    pace = gate.rate
    for _ in range(40):
        gate.settle(_send(clock, gate), 200, ANNOUNCED)
    gate.settle(_send(clock, gate), 429, ANNOUNCED, retry_after=1.0)
    assert gate.rate == pace
    held = gate.admit()  # and nothing pauses for the 429's Retry-After
    assert isinstance(held, Ticket) or held.seconds < 2 / pace


def test_429s_in_quick_succession_under_an_announced_rate_cut_it():
    clock, gate = _announced_gate()
    pace = gate.rate
    for _ in range(2):
        gate.settle(_send(clock, gate), 429, ANNOUNCED, retry_after=1.0)
    assert gate.rate < pace


def test_forget_starts_over_unpaced():
    clock = SimClock()
    gate = RateGate(clock=clock)
    gate.settle(gate.admit(), 429, {}, retry_after=1.0)
    assert gate.rate_found is not None
    gate.forget()
    assert gate.rate_found is None and isinstance(gate.admit(), Ticket)


def test_forget_all_makes_every_gate_of_the_process_start_over():
    gates = [gate_for(f"http://127.0.0.1:9/forget-all-{n}") for n in range(2)]
    for gate in gates:
        gate.settle(gate.admit(), 429, {}, retry_after=1.0)
    assert all(gate.rate_found is not None for gate in gates)
    forget_all()
    assert all(gate.rate_found is None and isinstance(gate.admit(), Ticket) for gate in gates)


# Over HTTP, against the emulator's limiter in real time: the machine is shared, so the margins
# are wide (the figures themselves are the simulation's above and bench/rate_limits.py's).


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


def _fetch_cycled(emulator, settings, count):
    """Fetch `count` recordings; the bodies, the client's stats and when each fetch finished."""
    ids = [rid for rid, r in emulator.admin.snapshot()["recordings"].items() if r["status"] == "done"]

    async def fetch():
        async with AsyncRelateClient(settings) as client:
            wanted = (ids[n % len(ids)] for n in range(count))
            started, bodies, finished = time.monotonic(), [], []
            async for _, body in client.get_recordings_raw(wanted):
                bodies.append(body)
                finished.append(time.monotonic() - started)
            return bodies, client.stats, finished

    return asyncio.run(fetch())


def _rate_after(finished: list[float], warm_up_s: float) -> float:
    late = [t for t in finished if t >= warm_up_s]
    return len(late) / (finished[-1] - warm_up_s)


def test_over_http_an_unannounced_token_bucket_is_found_and_kept_to(make_emulator, settings_for):
    emulator = make_emulator(days=1, end_date="2026-05-20", meetings_per_day=8, rate_limit=50,
                             latency_ms=20)
    bodies, stats, finished = _fetch_cycled(emulator, settings_for(emulator), 400)
    assert all(isinstance(body, bytes) for body in bodies) and len(bodies) == 400
    assert stats.rate_limited / stats.requests <= 0.1
    assert _rate_after(finished, 3.0) >= 0.6 * 50
    assert 25 <= stats.rate_found <= 100
    assert stats.as_dict()["rate_found_per_minute"] == round(stats.rate_found * 60)


def test_over_http_an_announced_limit_is_kept_from_the_first_answer(make_emulator, settings_for):
    emulator = make_emulator(days=1, end_date="2026-05-20", meetings_per_day=8, rate_limit=50,
                             rate_limit_headers=True, latency_ms=20)
    bodies, stats, finished = _fetch_cycled(emulator, settings_for(emulator), 200)
    assert all(isinstance(body, bytes) for body in bodies)
    assert stats.rate_limited <= 2
    assert stats.rate_found == 50.0
    assert 0.6 * 50 <= _rate_after(finished, 1.0) <= 50


def test_over_http_an_announced_burst_of_one_is_kept_to(make_emulator, settings_for):
    emulator = make_emulator(days=1, end_date="2026-05-20", meetings_per_day=8, rate_limit=20,
                             rate_limit_burst=1, rate_limit_headers=True, latency_ms=20)
    bodies, stats, finished = _fetch_cycled(emulator, settings_for(emulator), 100)
    assert all(isinstance(body, bytes) for body in bodies)
    # The second request of all meets the bucket before any answer has announced it.
    assert stats.rate_limited / stats.requests <= 0.06
    assert 0.5 * 20 <= _rate_after(finished, 1.0) <= 20
