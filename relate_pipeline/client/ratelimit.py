"""A process-wide request gate per API base URL that finds the server's rate limit by itself.

Relate publishes no rate limit, so the gate learns one. Every request of the process to one base
URL, sync or async, passes through the same gate, which decides when it may be sent:

* **Before any push-back** requests go out at full concurrency, behind a slow-start window (two
  in flight, one more per success, as TCP does) so that the first burst against an unknown limit
  costs a handful of 429s instead of a whole window of them.
* **On the first 429** the gate starts pacing at `FIRST_CUT` × the success rate of the last
  second, and every request of the process is spaced 1/rate apart (GCRA-style virtual
  scheduling: idle time never accumulates into a burst). A token bucket answers 429s fast, so
  latency-based limiters see nothing, and capping concurrency does not bound a rate; pacing does.
* **Slots are an absolute schedule** (each one interval after the one before, not after the
  moment the previous request was woken), and **a minimum gap holds at send time**: a request
  whose slot came due while the event loop was busy still leaves a gap after the previous one,
  so a stall does not release a clump (a bucket with a burst of 1 refuses a request that
  arrives a hair early). Against an unknown limit the gap is `SEND_GAP`/rate (a whole
  interval: on the simulated busy loop, catching up by less cost more than it gained); against
  an announced one it is one refill of the server's bucket (`REFILL_GAP`/announced rate), so the
  pace's headroom catches up late wake-ups; and when the latest answer's `RateLimit-Remaining`
  (less the requests in flight, which the server may have counted since) leaves room, there is
  no gap at all: the server's bucket absorbs the catch-up. A request holding a slot is woken
  when the rate grows and the slots are voided, instead of sleeping to a slot reserved at an
  outgrown rate, and a timed hold resumes in the loop turn its timer fires in.
* **Each later 429** cuts the rate to `CUT` × the current rate, or to what the server actually
  let through if that is lower (successes per second over the last second, or since the last
  pause ended), but never below `CUT` × what it let through, once per epoch: a 429 for a
  request sent before the last cut says nothing new, and counting it would cut again for the
  same overshoot (the floor does the same for a spent fixed window, which refuses every request
  until it turns, however far the rate was cut). What the server let through before
  the latest counted 429 (the pace refused, at the end of a blind probe; the announced rate,
  once announced) is the rate found, logged at the first 429 and shown in RequestStats.
* **Each success the pacer held back** (the pacer, not the server or the caller, is the
  bottleneck) raises the rate. Until the second 429 it grows by `RECOVERY_PER_SECOND` a second,
  or `BLIND_RECOVERY_PER_SECOND` when the first 429 came after fewer than `FEW_SUCCESSES`
  successes: a bucket with a burst of 1 refuses the second request of all, so that first
  estimate says nothing about the rate. The 429 that ends that blind probe comes as the pace
  crosses the limit, while the last second's count still lags the ramp, so that cut starts
  from the pace the refused request was sent at. Otherwise the rate grows by
  `GROWTH_PER_SECOND` / rate per success, a fixed share per second whatever the rate, so a cycle
  of probe and cut lasts several seconds at any rate, and a low rate's cycle spans enough
  requests that its one or two 429s stay a small share. One exception climbs back fast: when
  the last second's successes (at least `SHORTFALL_COUNT` of them) fell short of the pace by
  more than `SHORTFALL`, the 429 was jitter just under a tight bucket's rate (a burst of 1 at
  tens of requests a second), not an overshoot, and the rate returns at `RECOVERY_PER_SECOND`
  to `RETURN` × the pace the refused request was sent at (CUBIC's fast return towards the
  window of the last loss) before growing slowly again.
* **A `RateLimit-Policy` header** names the limit; from that response on the gate paces at
  `TIGHT_HEADROOM` × that rate (the rest absorbs late wake-ups and the server's timing jitter
  against a burst-1 bucket, see the gap above) and stops probing above it; once an answer's
  `RateLimit-Remaining` has shown room in the server's bucket (so the remaining count says what
  the bucket holds and late requests catch up through it), at `HEADROOM` × that rate. A 429
  below an announced rate is the server's timing jitter, not a storm (a burst-1 bucket refuses a
  request whose predecessor the server got to late, however evenly both were sent): while such 429s are at most `JITTER_SHARE` of the last
  second's answers they change nothing; beyond that each cuts the pace by `CUT` (from the pace,
  not to the last second's count), returning fast to the announced pace. It pauses only for a
  long Retry-After. `Remaining: 0` with a `Reset` (either header family) without a policy
  pauses like a Retry-After would.
* A fixed ceiling claimed by a client (`ClientSettings.rate_limit`, `RELATE_RATE_LIMIT`) caps
  everything above; the strictest live claim wins, and adaptation still runs below it.

Retry-After: the first 429 pauses every request for its Retry-After, as does any later one asking
for more than `SHORT_RETRY_AFTER`; a shorter one while pacing only cuts the rate (`Retry-After: 1`
is the coarsest answer a token bucket can give and says little about its rate). The refused
request itself always waits its Retry-After before trying again (retry.py).

The design follows botocore's adaptive retry mode (a client-side token bucket, cut on throttles,
probed back up with CUBIC, which returns fast towards the rate of the last throttle and probes
slowly around it) and Netflix concurrency-limits' AIMD; the parameters are the ones the
"Rate limits" section of docs/benchmarks.md measures, chosen on the simulation of
tests/client/gate_simulation.py with a busy event loop modelled.

Why not aiolimiter: its AsyncLimiter lives on one event loop and cannot be awaited from a plain
thread, yet one process may run sync and async clients against the same API budget. The gate's
state sits behind a `threading.Lock` held only for arithmetic, never while sleeping: `admit`
returns a ticket or how long to hold, and the sync and async waits sleep accordingly. Time comes
from an injectable clock, so the behaviour above is tested without sleeping.
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

SLOW_START_WINDOW = 2
SLOW_START_END = 256
SUCCESS_WINDOW_S = 1.0
FIRST_CUT = 0.8
CUT = 0.85
GROWTH_PER_SECOND = 0.015
RECOVERY_PER_SECOND = 1.25
HEADROOM = 0.95
TIGHT_HEADROOM = 0.9
SEND_GAP = 1.0
REFILL_GAP = 1.04
JITTER_SHARE = 0.05
FEW_SUCCESSES = 2
RETURN = 0.9
SHORTFALL = 0.97
SHORTFALL_COUNT = 20
BLIND_RECOVERY_PER_SECOND = 2.0
MIN_RATE = 0.05
SHORT_RETRY_AFTER = 1.0
MIN_SPAN_S = 0.25
RESCHEDULE_GROWTH = 1.1

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
    """Permission to send one request now; hand it back to `settle` or `abandon`."""

    epoch: int
    paced: bool
    rate: float | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """Not yet: ask `admit` again after `seconds` (None: once a request in flight finishes).

    `slot` is a reserved send time; passing the hold back to `admit` keeps it.
    """

    seconds: float | None
    slot: float | None = None
    schedule: int = -1


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
        self._next_slot = 0.0
        self._last_sent = -math.inf
        self._paused_until = 0.0
        self._learned: float | None = None
        self._found: float | None = None
        self._announced: float | None = None
        self._epoch = 0
        self._schedule = 0
        self._schedule_rate = math.inf
        self._cuts = 0
        self._probing_blind = False
        self._return_to = 0.0
        self._successes: deque[float] = deque()
        self._refusals: deque[float] = deque()
        self._window: float = SLOW_START_WINDOW
        self._in_flight = 0
        self._room = 0.0
        self._roomy = False
        self._wakers: list[Callable[[], None]] = []
        self._sleepers: set[Callable[[], None]] = set()

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

        The announced rate when a response named one; else the rate the server let requests
        through at over the second before its latest counted 429.
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

    def _rate(self) -> float | None:
        rates = [r for r in (self._ceiling(), self._learned, self._headroom()) if r is not None]
        return min(rates) if rates else None

    def forget(self) -> None:
        """Drop what was learned (rate, announcement, pause) and start over with slow start.

        For when the limit is known to have changed, e.g. the key moved to another plan or the
        server under test was reconfigured; fixed ceilings claimed by live clients stay.
        """
        with self._lock:
            self._learned = self._announced = self._found = None
            self._cuts = 0
            self._paused_until = self._next_slot = 0.0
            self._epoch += 1
            self._schedule += 1
            self._schedule_rate = math.inf
            self._wake_sleepers()
            self._successes.clear()
            self._refusals.clear()
            self._window = SLOW_START_WINDOW
            self._room = 0.0
            self._roomy = False

    # admission

    def admit(self, hold: Hold | None = None) -> Ticket | Hold:
        """A ticket to send now, or how long to hold before asking again."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return Hold(self._paused_until - now)
            if hold is not None and hold.slot is not None and hold.schedule == self._schedule:
                if now < hold.slot:
                    return Hold(hold.slot - now, hold.slot, hold.schedule)
                rate = self._rate()
                if rate is not None and self._room < 1:
                    spaced = self._last_sent + self._send_gap(rate)
                    if now < spaced:
                        return Hold(spaced - now, hold.slot, hold.schedule)
                return self._ticket(paced=True)
            if self._in_flight >= self._window:
                return Hold(None)
            rate = self._rate()
            if rate is None:
                return self._ticket(paced=False)
            slot = max(now, self._next_slot, self._last_sent + self._send_gap(rate))
            self._next_slot = slot + 1.0 / rate
            if slot <= now:
                return self._ticket(paced=False)
            return Hold(slot - now, slot, self._schedule)

    def _send_gap(self, rate: float) -> float:
        """The shortest time from one send to the next.

        Slots are an absolute schedule (each one interval after the one before), so a request
        woken late is caught up by the next. Against an announced limit the next may follow as
        soon as the server's bucket has refilled one request (a burst of 1 refuses anything
        sooner), which the pace's headroom leaves time for: `REFILL_GAP` of its interval.
        Against an unknown one, one whole interval of the pace.
        """
        if self._announced is not None:
            return REFILL_GAP / self._announced
        return SEND_GAP / rate

    def _ticket(self, *, paced: bool) -> Ticket:
        self._in_flight += 1
        self._room -= 1
        self._last_sent = self._clock()
        return Ticket(self._epoch, paced, self._rate())

    def wait(self) -> Ticket:
        """Block the calling thread until a request may be sent."""
        released = threading.Event()
        hold: Hold | None = None
        try:
            while True:
                outcome = self._admit_or_register(hold, released.set)
                if isinstance(outcome, Ticket):
                    return outcome
                hold = outcome
                released.wait(outcome.seconds)
                released.clear()
        finally:
            if hold is not None:
                self._unregister(released.set)

    async def wait_async(self) -> Ticket:
        """Wait on the running event loop until a request may be sent."""
        loop = asyncio.get_running_loop()
        current: list[asyncio.Future[None]] = []

        def wake() -> None:
            loop.call_soon_threadsafe(_resolve, current[-1])

        hold: Hold | None = None
        try:
            while True:
                released = loop.create_future()
                current[:] = [released]
                outcome = self._admit_or_register(hold, wake)
                if isinstance(outcome, Ticket):
                    return outcome
                hold = outcome
                # A timer resolving the same future the wakers resolve: the task resumes in the
                # loop turn the timer fires in (asyncio.wait_for takes two more turns to time
                # out, and every late turn is a slot lost).
                timer = None
                if outcome.seconds is not None:
                    timer = loop.call_later(outcome.seconds, _resolve, released)
                try:
                    await released
                finally:
                    if timer is not None:
                        timer.cancel()
        finally:
            if hold is not None:
                self._unregister(wake)

    def _admit_or_register(self, hold: Hold | None, wake: Callable[[], None]) -> Ticket | Hold:
        """Admit, or register `wake` for when holding may end early.

        A request held for the window is woken when one in flight finishes; one holding a slot
        is woken when the slots are voided (the rate grew), so it does not sleep to a slot
        reserved at an outgrown rate.
        """
        outcome = self.admit(hold)
        if isinstance(outcome, Hold):
            with self._lock:
                if outcome.seconds is None:
                    if self._in_flight < self._window:
                        return Hold(0.0)
                    self._wakers.append(wake)
                elif outcome.slot is not None:
                    if outcome.schedule != self._schedule:
                        return Hold(0.0)
                    self._sleepers.add(wake)
        return outcome

    def _unregister(self, wake: Callable[[], None]) -> None:
        with self._lock:
            self._sleepers.discard(wake)

    # outcomes

    def abandon(self, ticket: Ticket) -> None:
        """The request got no answer (timeout, broken connection): only free its place."""
        with self._lock:
            self._finished()

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
            now = self._clock()
            self._finished()
            self._read_headers(headers, status, pause_cap)
            if status == 429:
                self._pushed_back(ticket, now, retry_after, pause_cap)
            elif status < 500:
                self._succeeded(ticket, now)

    def pause(self, seconds: float) -> None:
        """Hold every request on this base URL for `seconds` from now (extends, never shortens)."""
        with self._lock:
            self._pause(seconds)

    def _pause(self, seconds: float) -> None:
        until = self._clock() + max(0.0, seconds)
        self._paused_until = max(self._paused_until, until)
        self._next_slot = max(self._next_slot, self._paused_until)

    def _finished(self) -> None:
        self._in_flight -= 1
        wakers, self._wakers = self._wakers, []
        for wake in wakers:
            wake()

    def _read_headers(self, headers: Mapping[str, str], status: int, pause_cap: float) -> None:
        remaining = remaining_quota(headers)
        if remaining is not None:
            # Requests still in flight may have been counted after this answer's.
            self._room = remaining - self._in_flight
            self._roomy = self._roomy or remaining >= 1
        announced = announced_rate(headers)
        if announced is not None and announced != self._announced:
            first, self._announced = self._announced is None, announced
            if first:
                logger.info(
                    "%s announces %.4g requests/s (RateLimit-Policy); pacing at %.4g",
                    self._name, announced, self._headroom(),
                )
            self._window = math.inf
            # 429s of requests sent before the announcement was known say nothing new.
            self._epoch += 1
            self._reschedule(self._clock())
            if self._learned is not None:
                self._learned = min(self._learned, self._headroom())
        if self._announced is None and status != 429:
            spent = spent_for(headers, self._wall_clock())
            if spent:
                self._pause(min(spent, pause_cap))

    def _let_through(self, now: float, *, over_the_whole_window: bool) -> tuple[int, float]:
        """Successes per second over the last second, or since the last pause ended if later.

        The first estimate always divides by the whole second: a burst the server allowed at the
        start would otherwise read as a rate many times its limit.
        """
        since = now - SUCCESS_WINDOW_S
        if not over_the_whole_window and self._paused_until > since:
            since = min(self._paused_until, now - MIN_SPAN_S)
        count = sum(1 for t in self._successes if t >= since)
        return count, max(count, 1) / (now - since)

    def _jitter(self, now: float) -> bool:
        """Whether a 429 under an announced rate is one of a few: the server's own jitter.

        A bucket with a burst of 1 refuses a request whose predecessor the server got to late,
        however evenly they were sent; cutting the pace for that loses more than the refused
        request. Up to `JITTER_SHARE` of the last second's answers may be such 429s; more mean
        the announcement is not the whole story, and the rate is cut as for any 429.
        """
        self._refusals.append(now)
        while self._refusals[0] < now - SUCCESS_WINDOW_S:
            self._refusals.popleft()
        since = now - SUCCESS_WINDOW_S
        answered = len(self._refusals) + sum(1 for t in self._successes if t >= since)
        return len(self._refusals) <= JITTER_SHARE * answered

    def _reschedule(self, now: float) -> None:
        """Void the slots reserved at the old rate: waiting requests reserve again at this one."""
        rate = self._rate()
        self._schedule += 1
        self._schedule_rate = math.inf if rate is None else rate
        self._wake_sleepers()
        self._next_slot = now if rate is None else max(now, self._last_sent + self._send_gap(rate))

    def _wake_sleepers(self) -> None:
        sleepers, self._sleepers = self._sleepers, set()
        for wake in sleepers:
            wake()

    def _succeeded(self, ticket: Ticket, now: float) -> None:
        self._successes.append(now)
        while self._successes and self._successes[0] < now - SUCCESS_WINDOW_S:
            self._successes.popleft()
        if self._window != math.inf:
            self._window += 1
            if self._window >= SLOW_START_END:
                self._window = math.inf
        if self._learned is not None and ticket.paced:
            limits = [r for r in (self._ceiling(), self._headroom()) if r is not None]
            if self._cuts == 1:
                blind = self._probing_blind
                per_second = BLIND_RECOVERY_PER_SECOND if blind else RECOVERY_PER_SECOND
                grown = self._learned * per_second ** (1.0 / self._learned)
            elif self._learned < self._return_to:
                grown = min(
                    self._learned * RECOVERY_PER_SECOND ** (1.0 / self._learned),
                    self._return_to,
                )
            else:
                grown = self._learned + GROWTH_PER_SECOND
            self._learned = min([grown, *limits])
            if self._learned > RESCHEDULE_GROWTH * self._schedule_rate:
                self._reschedule(now)

    def _pushed_back(
        self, ticket: Ticket, now: float, retry_after: float | None, pause_cap: float
    ) -> None:
        if ticket.epoch != self._epoch:
            return
        if self._announced is not None and self._jitter(now):
            if retry_after is not None and retry_after > SHORT_RETRY_AFTER:
                self._pause(min(retry_after, pause_cap))
            return
        first = self._learned is None and self._announced is None
        current = self._rate()
        count, let_through = self._let_through(now, over_the_whole_window=first)
        if first:
            self._found = let_through
            self._probing_blind = count < FEW_SUCCESSES
            learned = FIRST_CUT * let_through
        elif self._announced is not None:
            # The limit is known: cut from the pace. The count of the last second lags the pace
            # at the start and after a pause, and cutting to it would start over from a crawl.
            learned = CUT * current
        elif self._cuts == 1 and self._probing_blind:
            # Probing from a blind first estimate: the 429 came as the pace crossed the limit,
            # while the last second's count still lags behind the ramp.
            sent = current if ticket.rate is None else min(current, ticket.rate)
            self._found = sent
            learned = CUT * sent
        else:
            self._found = learned = let_through
            if current is not None:
                # Never below CUT x what the server let through: 429s answered in quick succession
                # (a spent fixed window refuses until it turns) would otherwise cut again and
                # again for one overshoot.
                floor = min(current, CUT * let_through)
                learned = max(min(learned, CUT * current), floor)
        self._cuts += 1
        pace = ticket.rate or current or 0.0
        short = count >= SHORTFALL_COUNT and let_through < SHORTFALL * pace
        self._return_to = RETURN * pace if short else 0.0
        if self._announced is not None:
            # Below an announced rate a 429 is jitter: return to the announced pace fast.
            self._return_to = self._headroom()
        if first and current is not None:
            learned = min(learned, CUT * current)
        self._learned = max(MIN_RATE, learned)
        self._epoch += 1
        self._window = math.inf
        self._reschedule(now)
        if first:
            logger.info(
                "%s answered 429 after letting about %.4g requests/s through: pacing every "
                "request to it at %.4g requests/s from now on",
                self._name, let_through, self._learned,
            )
        if retry_after is not None and (first or retry_after > SHORT_RETRY_AFTER):
            self._pause(min(retry_after, pause_cap))


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
