"""A process-wide request gate per API base URL, shared by sync and async clients.

Why not aiolimiter: its AsyncLimiter lives on one event loop and cannot be awaited from a plain
thread, yet a Dagster run may use a sync client in one op and an async client in another, in the
same process, against the same API budget. This gate therefore keeps its state behind a
`threading.Lock` held only for arithmetic (never while sleeping), and hands back *how long to
wait*; the sync client sleeps with `time.sleep`, the async one with `asyncio.sleep`.

Scheduling is GCRA-style ("virtual scheduling"): each request reserves the next free slot, slots
are spaced 1/rate apart, and idle time does not accumulate into a burst — so the client never
exceeds the rate in any window, which is what a server-side token bucket rewards.

The gate is also where a 429 slows everybody down: `pause(seconds)` holds every request of every
client on that base URL until the server's Retry-After has passed, instead of letting the other
in-flight workers keep hammering. A request that had already reserved a slot when a pause began
re-checks after its sleep and waits out the pause too.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

_registry_lock = threading.Lock()
_registry: dict[str, RateGate] = {}


def gate_for(base_url: str) -> RateGate:
    """The single gate for this base URL in this process."""
    with _registry_lock:
        gate = _registry.get(base_url)
        if gate is None:
            gate = _registry[base_url] = RateGate()
        return gate


class RateGate:
    """Spacing plus pause for one API budget.

    Several clients may claim a rate for the same base URL; the strictest live claim applies, so
    a client configured for 5 req/s is not overrun by a sibling configured for 50 req/s. Claims
    are released when a client closes (or is garbage-collected).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[int, float | None] = {}
        self._claim_ids = itertools.count()
        self._next_slot = 0.0
        self._paused_until = 0.0

    def claim(self, rate: float | None) -> int:
        with self._lock:
            claim_id = next(self._claim_ids)
            self._claims[claim_id] = rate
            return claim_id

    def release(self, claim_id: int) -> None:
        with self._lock:
            self._claims.pop(claim_id, None)

    @property
    def rate(self) -> float | None:
        with self._lock:
            return self._current_rate()

    def _current_rate(self) -> float | None:
        rates = [rate for rate in self._claims.values() if rate is not None]
        return min(rates) if rates else None

    def pause(self, seconds: float) -> None:
        """Hold every request on this base URL for `seconds` from now (extends, never shortens)."""
        with self._lock:
            until = time.monotonic() + max(0.0, seconds)
            self._paused_until = max(self._paused_until, until)
            self._next_slot = max(self._next_slot, self._paused_until)

    def reserve(self) -> float:
        """Claim the next slot; returns the seconds to wait before sending in it."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._paused_until)
            rate = self._current_rate()
            if rate is None:
                return start - now
            slot = max(start, self._next_slot)
            self._next_slot = slot + 1.0 / rate
            return slot - now

    def _paused(self) -> bool:
        with self._lock:
            return time.monotonic() < self._paused_until

    def wait(self) -> None:
        while True:
            delay = self.reserve()
            if delay > 0:
                time.sleep(delay)
            if not self._paused():
                return

    async def wait_async(self) -> None:
        while True:
            delay = self.reserve()
            if delay > 0:
                await asyncio.sleep(delay)
            if not self._paused():
                return
