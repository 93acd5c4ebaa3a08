"""A discrete-event run of workers against a rate-limited server, on simulated time.

The client side is the real RateGate with its clock injected; the server side is the emulator's
own limiter (token bucket or fixed window) on the same simulated clock, answering as the
emulator does: a refusal at once, a success after the latency. Each worker loops: admit (holding
as long as the gate says), send, the server decides, the answer arrives, settle; a 429 is
retried after its Retry-After plus the retry policy's jitter. Nothing sleeps and nothing races,
so a run is exactly reproducible and takes milliseconds.

`jitter_s` stands in for a real event loop and loopback: every timed wake-up of a worker and
every request's way to the server are late by an exponentially distributed delay of that mean,
and the worker's event loop stalls now and then (`stalls_per_s`, each exponentially long with
mean `stall_s`), waking every timer that fell due meanwhile at once, as a busy loop does. Both
are drawn from a seeded generator (the same seed, the same run). A bucket with a burst of 1
refuses a request that arrives a hair early, so this is what separates a pacer that survives a
real loop from one that only works on an ideal clock.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field

from relate_pipeline.client.ratelimit import Hold, RateGate, Ticket
from relate_pipeline.emulator.faults import FixedWindow, TokenBucket, limit_headers

RETRY_JITTER_S = 0.5


@dataclass
class SimClock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Outcome:
    sent: int = 0
    refused: int = 0
    success_times: list[float] = field(default_factory=list)
    finished_at: float = 0.0
    rate_found: float | None = None

    @property
    def refused_share(self) -> float:
        return self.refused / self.sent

    def throughput_after(self, warm_up_s: float) -> float:
        """Successes per second from `warm_up_s` to the last success."""
        late = [t for t in self.success_times if t >= warm_up_s]
        return len(late) / (self.finished_at - warm_up_s)


def token_bucket(rate: float, burst: float | None = None) -> TokenBucket:
    return TokenBucket(rate, burst if burst is not None else max(1.0, rate), 0.0)


def fixed_window(rate: float) -> FixedWindow:
    return FixedWindow(rate)


def run(
    server: TokenBucket | FixedWindow | None,
    requests: int,
    *,
    workers: int = 32,
    latency_s: float = 0.05,
    headers: bool = False,
    ceiling: float | None = None,
    jitter_s: float = 0.0,
    stalls_per_s: float = 0.0,
    stall_s: float = 0.01,
    seed: int = 11,
) -> Outcome:
    """Complete `requests` logical requests through one gate; every attempt is counted."""
    clock = SimClock()
    gate = RateGate("sim", clock=clock, wall_clock=lambda: 1_700_000_000 + clock.now)
    if ceiling is not None:
        gate.claim(ceiling)
    outcome = Outcome()
    order = itertools.count()
    queue: list[tuple[float, int, str, int, object]] = []
    started = itertools.count()
    rng = random.Random(seed)
    stalls: list[tuple[float, float]] = []

    def late() -> float:
        return rng.expovariate(1.0 / jitter_s) if jitter_s > 0 else 0.0

    def woken(at: float) -> float:
        """When a timer due at `at` fires: late by jitter, or at the end of a stall it fell in."""
        at += late()
        if stalls_per_s <= 0:
            return at
        while not stalls or stalls[-1][1] < at:
            start = (stalls[-1][1] if stalls else 0.0) + rng.expovariate(stalls_per_s)
            stalls.append((start, start + rng.expovariate(1.0 / stall_s)))
        for start, end in reversed(stalls):
            if start <= at < end:
                return end
            if end < at:
                break
        return at

    def schedule(at: float, action: str, worker: int, data: object = None) -> None:
        heapq.heappush(queue, (at, next(order), action, worker, data))

    def start_next(at: float, worker: int) -> None:
        if next(started) < requests:
            schedule(at, "admit", worker)

    for worker in range(workers):
        start_next(0.0, worker)
    while queue:
        at, _, action, worker, data = heapq.heappop(queue)
        clock.now = at
        if action == "admit":
            decision = gate.admit(data)
            if isinstance(decision, Hold):
                schedule(woken(at + decision.seconds), "admit", worker, decision)
                continue
            outcome.sent += 1
            schedule(at + late(), "arrive", worker, decision)
        elif action == "arrive":
            wait = 0.0 if server is None else server.take(at)
            answer_headers = limit_headers(server) if headers and server is not None else {}
            answered = at if wait > 0 else at + latency_s
            schedule(answered + late(), "answer", worker, (data, wait, answer_headers))
        else:
            ticket, wait, answer_headers = data
            assert isinstance(ticket, Ticket)
            if wait > 0:
                retry_after = max(1, int(-(-wait // 1)))
                outcome.refused += 1
                gate.settle(ticket, 429, answer_headers, float(retry_after), pause_cap=120.0)
                schedule(at + retry_after + rng.uniform(0, RETRY_JITTER_S), "admit", worker)
                continue
            gate.settle(ticket, 200, answer_headers)
            outcome.success_times.append(at)
            outcome.finished_at = at
            start_next(at, worker)
    outcome.rate_found = gate.rate_found
    return outcome
