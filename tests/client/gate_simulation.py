"""A discrete-event run of workers against a rate-limited server, on simulated time.

The client side is the real RateGate with its clock injected; the server side is the emulator's
own limiter (token bucket or fixed window) on the same simulated clock. Each worker loops:
admit, send (half the latency out), the server decides, the answer arrives (the other half),
settle; a 429 is retried after its Retry-After, as the client's retry policy does. Nothing
sleeps and nothing races, so a run is exactly reproducible and takes milliseconds.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

from relate_pipeline.client.ratelimit import Hold, RateGate, Ticket
from relate_pipeline.emulator.faults import FixedWindow, TokenBucket, limit_headers

RELEASE_POLL_S = 0.001


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
) -> Outcome:
    """Complete `requests` logical requests through one gate; every attempt is counted."""
    clock = SimClock()
    gate = RateGate("sim", clock=clock, wall_clock=lambda: 1_700_000_000 + clock.now)
    if ceiling is not None:
        gate.claim(ceiling)
    outcome = Outcome()
    order = itertools.count()
    queue: list[tuple[float, int, str, int, object]] = []
    remaining = itertools.count()

    def schedule(at: float, action: str, worker: int, data: object = None) -> None:
        heapq.heappush(queue, (at, next(order), action, worker, data))

    def take_work() -> bool:
        return next(remaining) < requests

    for worker in range(workers):
        if take_work():
            schedule(0.0, "admit", worker)
    while queue:
        at, _, action, worker, data = heapq.heappop(queue)
        clock.now = at
        if action == "admit":
            decision = gate.admit(data if isinstance(data, Hold) else None)
            if isinstance(decision, Ticket):
                outcome.sent += 1
                schedule(at + latency_s / 2, "arrive", worker, decision)
            else:
                wait = RELEASE_POLL_S if decision.seconds is None else decision.seconds
                schedule(at + wait, "admit", worker, decision)
        elif action == "arrive":
            wait = 0.0 if server is None else server.take(at)
            answer_headers = limit_headers(server) if headers and server is not None else {}
            schedule(at + latency_s / 2, "answer", worker, (data, wait, answer_headers))
        else:
            ticket, wait, answer_headers = data
            if wait > 0:
                retry_after = max(1, int(-(-wait // 1)))
                outcome.refused += 1
                gate.settle(ticket, 429, answer_headers, float(retry_after), pause_cap=120.0)
                schedule(at + retry_after, "admit", worker)
                continue
            gate.settle(ticket, 200, answer_headers)
            outcome.success_times.append(at)
            outcome.finished_at = at
            if take_work():
                schedule(at, "admit", worker)
    return outcome
