"""A process-wide request gate per API base URL that finds the server's rate limit by itself.

Relate publishes no rate limit, so the gate learns one. Every request of the process to one base
URL, sync or async, passes the same gate, which decides when it may be sent. A token bucket
answers 429 at once (a limiter watching latency sees nothing) and capping concurrency does not
bound a rate, so the gate paces: requests leave at most `rate` a second, each one interval after
the one before (idle time never adds up to a burst).

* **Until the server pushes back** nothing is paced: only a slow-start window (two in flight,
  one more per success, as TCP does) keeps the first burst against an unknown limit to a few
  429s instead of a window's worth.
* **The first 429** pauses every request for its Retry-After; pacing then starts at `CUT` × what
  the server let through over the last second. A bucket with a burst of 1 refuses the second
  request of all, so when fewer than `FEW_SUCCESSES` got through that figure says nothing, and
  the rate doubles every second until the next 429.
* **Every later 429** cuts the rate to `CUT` × the pace its request was sent at (multiplicative
  decrease), once per change: a 429 for a request sent before the last cut says nothing new.
  `Retry-After: 1` is the coarsest answer a bucket can give and says little about its rate, so
  only a longer one pauses everybody; the refused request itself always waits it (retry.py).
* **Every success the pacer held back** (the pacer, not the caller, was the bottleneck) adds
  `GROWTH` × the rate per second (additive increase), so the gate keeps probing just above the
  limit it found, and a limit that rises is followed. The pace of the latest 429 is the rate
  found, shown in RequestStats.
* **A `RateLimit-Policy` header** names the limit and replaces any guess: from then on the gate
  paces at `HEADROOM` of it, or `TIGHT_HEADROOM` while `RateLimit-Remaining` has never shown room
  in the server's bucket (a burst of 1 refuses a request whose predecessor reached the server
  late, however evenly both were sent). Late wake-ups are caught up: a send may follow the one
  before at once while the bucket has shown room, else after one refill of it at `HEADROOM` of
  its rate (see `_gap`). An isolated 429 below an announced rate is such jitter and changes
  nothing; a second one within a second cuts as above. `Remaining: 0` with a `Reset` (either
  header family) and no policy pauses like a Retry-After.
* A fixed ceiling claimed by a client (`ClientSettings.rate_limit`, `RELATE_RATE_LIMIT`) caps
  everything above; the strictest live claim wins.

Why not aiolimiter: its AsyncLimiter lives on one event loop and cannot be awaited from a plain
thread, yet one process may run sync and async clients against the same budget. The state sits
behind a `threading.Lock` held only for arithmetic, never while sleeping: `admit` returns a
ticket or how long to hold, and the sync and async waits sleep accordingly. Time comes from an
injectable clock, so the behaviour is specified on simulated time (tests/client/gate_simulation.py).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from relate_pipeline.client.limit_headers import announced_rate, remaining_quota, spent_for

logger = logging.getLogger("relate_pipeline.client")

CUT = 0.85
GROWTH = 0.015
HEADROOM = 0.95
TIGHT_HEADROOM = 0.9
FEW_SUCCESSES = 2
SHORT_RETRY_AFTER = 1.0
SLOW_START_POLL_S = 0.005
MIN_RATE = 0.05

_registry_lock = threading.Lock()
_registry: dict[str, RateGate] = {}


def gate_for(base_url: str) -> RateGate:
    """The single gate for this base URL in this process."""
    with _registry_lock:
        gate = _registry.get(base_url)
        if gate is None:
            gate = _registry[base_url] = RateGate(base_url)
        return gate


def forget_all() -> None:
    """Every gate of the process forgets what it learned (see `RateGate.forget`).

    For when every server behind them may have changed at once, e.g. between tests whose
    emulators reuse a port, or between benchmark cases that reconfigure the server's limit.
    """
    with _registry_lock:
        gates = list(_registry.values())
    for gate in gates:
        gate.forget()


@dataclass(frozen=True, slots=True)
class Ticket:
    """Permission to send one request now; hand it back to `settle` or `abandon`.

    `rate` is the pace it was sent at (None: unpaced); `paced` says the pacer held it back and
    it left on time.
    """

    epoch: int
    rate: float | None = None
    paced: bool = False


@dataclass(frozen=True, slots=True)
class Hold:
    """Not yet: ask `admit` again after `seconds`; `paced` tells it the pacer held it."""

    seconds: float
    paced: bool = False


class RateGate:
    """Pacing, pauses and slow start for one API budget (see the module docstring)."""

    def __init__(
        self,
        name: str = "",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._name = name
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._claims: dict[int, float | None] = {}
        self._claim_ids = itertools.count()
        self._in_flight = 0
        self._epoch = 0
        self._start_over()

    def _start_over(self) -> None:
        self._learned: float | None = None
        self._found: float | None = None
        self._announced: float | None = None
        self._roomy = False
        self._doubling = False
        self._limited = False
        self._successes = 0
        self._sent: deque[float] = deque()
        self._due = -math.inf
        self._paused_until = -math.inf
        self._refused_at = -math.inf
        self._epoch += 1

    # fixed ceilings

    def claim(self, rate: float | None) -> int:
        with self._lock:
            claim_id = next(self._claim_ids)
            self._claims[claim_id] = rate
            return claim_id

    def release(self, claim_id: int) -> None:
        with self._lock:
            self._claims.pop(claim_id, None)

    @property
    def ceiling(self) -> float | None:
        """The strictest fixed rate a live client claimed, or None."""
        with self._lock:
            return self._ceiling()

    @property
    def rate(self) -> float | None:
        """Requests per second the gate lets through now, or None when unpaced."""
        with self._lock:
            return self._rate()

    @property
    def rate_found(self) -> float | None:
        """The server's limit as far as the gate knows, or None while the server is silent.

        The announced rate when a response named one; else the pace of the latest counted 429
        (at the first, what the server had let through over the second before it).
        """
        with self._lock:
            return self._announced if self._announced is not None else self._found

    def _ceiling(self) -> float | None:
        rates = [rate for rate in self._claims.values() if rate is not None]
        return min(rates) if rates else None

    def _headroom(self) -> float | None:
        if self._announced is None:
            return None
        return self._announced * (HEADROOM if self._roomy else TIGHT_HEADROOM)

    def _caps(self) -> list[float]:
        return [rate for rate in (self._ceiling(), self._headroom()) if rate is not None]

    def _rate(self) -> float | None:
        rates = [rate for rate in (self._learned, *self._caps()) if rate is not None]
        return min(rates) if rates else None

    def forget(self) -> None:
        """Drop what was learned (rate, announcement, pause) and start over with slow start.

        For when the limit is known to have changed, e.g. the key moved to another plan or the
        server under test was reconfigured; fixed ceilings claimed by live clients stay.
        """
        with self._lock:
            self._start_over()

    # admission

    def admit(self, hold: Hold | None = None) -> Ticket | Hold:
        """A ticket to send now, or how long to hold before asking again."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return Hold(self._paused_until - now)
            if not self._limited and self._in_flight >= 2 + self._successes:
                return Hold(SLOW_START_POLL_S)
            rate = self._rate()
            if rate is None:
                return self._ticket(now, None, paced=False)
            if now < self._due:
                return Hold(self._due - now, paced=True)
            # Only a request the pacer held back and the loop then sent on time may raise the
            # rate: one sent an interval late shows the loop, not the pacer, was the bottleneck.
            on_time = hold is not None and hold.paced and now - self._due < 1.0 / rate
            self._due = max(self._due + 1.0 / rate, now + self._gap(rate))
            return self._ticket(now, rate, paced=on_time)

    def _gap(self, rate: float) -> float:
        """The least time from this send to the next, so that late wake-ups are caught up.

        Against an unknown limit, one interval: a send never follows its predecessor sooner
        than the pace says. Below an announced limit whose bucket has shown room, none: the
        bucket absorbs a pair, and the schedule (one interval per send) still holds the rate.
        Below one that never showed room (a burst of 1), one refill of it at `HEADROOM`.
        """
        if self._announced is None:
            return 1.0 / rate
        return 0.0 if self._roomy else 1.0 / (HEADROOM * self._announced)

    def _ticket(self, now: float, rate: float | None, *, paced: bool) -> Ticket:
        self._in_flight += 1
        self._sent.append(now)
        while self._sent[0] < now - 1.0:
            self._sent.popleft()
        return Ticket(self._epoch, rate, paced)

    def wait(self) -> Ticket:
        """Block the calling thread until a request may be sent."""
        outcome = self.admit()
        while isinstance(outcome, Hold):
            time.sleep(outcome.seconds)
            outcome = self.admit(outcome)
        return outcome

    async def wait_async(self) -> Ticket:
        """Wait on the running event loop until a request may be sent."""
        outcome = self.admit()
        while isinstance(outcome, Hold):
            await asyncio.sleep(outcome.seconds)
            outcome = self.admit(outcome)
        return outcome

    # outcomes

    def abandon(self, ticket: Ticket) -> None:
        """The request got no answer (timeout, broken connection): only free its place."""
        with self._lock:
            self._in_flight -= 1

    def settle(
        self,
        ticket: Ticket,
        status: int,
        headers: Mapping[str, str],
        retry_after: float | None = None,
        pause_cap: float = math.inf,
    ) -> None:
        """Learn from an answer: its status, its rate-limit headers and its Retry-After."""
        with self._lock:
            self._in_flight -= 1
            self._read_headers(headers, status, pause_cap)
            if status == 429:
                if ticket.epoch == self._epoch:
                    self._pushed_back(ticket, retry_after, pause_cap)
            elif status < 500:
                self._succeeded(ticket)

    def pause(self, seconds: float) -> None:
        """Hold every request on this base URL for `seconds` from now (extends, never shortens)."""
        with self._lock:
            self._pause(seconds)

    def _pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))

    def _read_headers(self, headers: Mapping[str, str], status: int, pause_cap: float) -> None:
        remaining = remaining_quota(headers)
        self._roomy = self._roomy or (remaining is not None and remaining >= 1)
        announced = announced_rate(headers)
        if announced is not None and announced != self._announced:
            first, self._announced = self._announced is None, announced
            # The announcement replaces any guess, the schedule starts afresh at its pace, and
            # 429s of requests sent before it was known say nothing new.
            self._learned = None
            self._limited, self._doubling = True, False
            self._due = self._clock() + 1.0 / self._rate()
            self._epoch += 1
            if first:
                logger.info(
                    "%s announces %.4g requests/s (RateLimit-Policy); pacing at %.4g",
                    self._name, announced, self._rate(),
                )
        if self._announced is None and status != 429:
            spent = spent_for(headers, self._wall_clock())
            if spent:
                self._pause(min(spent, pause_cap))

    def _succeeded(self, ticket: Ticket) -> None:
        self._successes += 1
        if self._learned is None or not ticket.paced:
            return
        if self._doubling:
            grown = self._learned * 2.0 ** (1.0 / self._learned)
        else:
            grown = self._learned + GROWTH
        self._learned = min([grown, *self._caps()])

    def _pushed_back(self, ticket: Ticket, retry_after: float | None, pause_cap: float) -> None:
        first = self._learned is None and self._announced is None
        if retry_after is not None and (first or retry_after > SHORT_RETRY_AFTER):
            self._pause(min(retry_after, pause_cap))
        now = self._clock()
        isolated = now - self._refused_at > 1.0
        self._refused_at = now
        if self._announced is not None and isolated:
            return
        if first:
            while self._sent and self._sent[0] < now - 1.0:
                self._sent.popleft()
            let_through = max(1, len(self._sent) - 1)
            self._found = float(let_through)
            self._doubling = let_through < FEW_SUCCESSES
        else:
            self._found = ticket.rate if ticket.rate is not None else self._rate()
            self._doubling = False
        self._learned = max(MIN_RATE, min([CUT * self._found, *self._caps()]))
        self._limited = True
        self._epoch += 1
        if first:
            logger.info(
                "%s answered 429 after letting about %.4g requests/s through: pacing every "
                "request to it at %.4g requests/s from now on",
                self._name, self._found, self._rate(),
            )
