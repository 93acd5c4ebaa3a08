"""Injected misbehaviour for the public API: latency, stalls, rate limiting, 5xx answers and dropped connections.

Fault decisions use their own seeded generator, so a given seed and request sequence misbehaves the
same way each run; the rate limiters run on real (monotonic) time by default, since clients back off in
real time (the clock is injectable for the limiters' own tests).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from .errors import invalid

ERROR_STATUSES = (500, 502, 503, 504)


RATE_LIMIT_KINDS = ("token_bucket", "fixed_window")
_OPTIONAL_POSITIVE = ("rate_limit", "rate_limit_burst")


@dataclass
class FaultSettings:
    """What goes wrong with public requests. Rate limiting, the server's unpublished limit:

    * `rate_limit`: requests per second across the server, or None (null) for no limit; a
      positive number is the only other value, as for the client's RELATE_RATE_LIMIT.
    * `rate_limit_kind`: "token_bucket" (refills continuously; holds `rate_limit_burst`
      requests, default max(1, rate_limit)) or "fixed_window" (at most rate_limit requests in
      each whole second, the counter reset at every second).
    * `rate_limit_headers`: when true every answer announces the limit (`RateLimit-Policy`,
      `RateLimit-Limit/-Remaining/-Reset` and the `X-RateLimit-*` triple); off by default,
      as on the real API, which publishes no limit.
    """

    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    spike_rate: float = 0.0
    spike_ms: float = 0.0
    rate_limit: float | None = None
    rate_limit_kind: str = "token_bucket"
    rate_limit_burst: float | None = None
    rate_limit_headers: bool = False
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    drop_rate: float = 0.0
    max_page_size: int = 100
    paths: list[str] = field(default_factory=list)  # path prefixes injected errors and drops apply to; empty: all

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> "FaultSettings":
        """A copy with `changes` applied, each checked; unknown or ill-typed settings raise a 422 naming them."""
        values = self.as_dict()
        for name, value in changes.items():
            if name not in values:
                raise invalid(name, f"is not a fault setting (known: {', '.join(values)})")
            values[name] = _checked(name, value)
        return FaultSettings(**values)


def _checked(name: str, value: Any) -> Any:
    if name == "paths":
        if not isinstance(value, list) or any(not isinstance(p, str) or not p.startswith("/") for p in value):
            raise invalid(name, "must be an array of path prefixes starting with '/'")
        return list(value)
    if name == "error_statuses":
        if not isinstance(value, list) or not value or any(s not in ERROR_STATUSES for s in value):
            raise invalid(name, f"must be a non-empty array drawn from {list(ERROR_STATUSES)}")
        return [int(s) for s in value]
    if name == "rate_limit_kind":
        if value not in RATE_LIMIT_KINDS:
            raise invalid(name, f"must be one of {', '.join(RATE_LIMIT_KINDS)}")
        return value
    if name == "rate_limit_headers":
        if not isinstance(value, bool):
            raise invalid(name, "must be true or false")
        return value
    is_number = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if name in _OPTIONAL_POSITIVE:
        if value is None:
            return None
        if not is_number or value <= 0:
            raise invalid(name, "must be a positive number of requests (per second), or null for none")
        return value
    if not is_number or value < 0:
        raise invalid(name, "must be a non-negative number")
    if name.endswith("_rate") and value > 1:
        raise invalid(name, "is a probability and must be between 0 and 1")
    if name == "max_page_size":
        if int(value) != value or value < 1:
            raise invalid(name, "must be a positive integer")
        return int(value)
    return value


class TokenBucket:
    """Refills at `rate` tokens a second up to `burst`; a request takes one."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.stamp = now

    def take(self, now: float) -> float:
        """0 when the request may proceed, else the seconds until a token is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def policy(self) -> str:
        return f"{self.rate:g};w=1;burst={self.capacity:g}"

    def remaining(self) -> int:
        return math.floor(self.tokens)

    def reset_s(self) -> float:
        """Seconds until the bucket is full again."""
        return (self.capacity - self.tokens) / self.rate


class FixedWindow:
    """At most `quota` requests in each whole second; the count restarts at every second."""

    def __init__(self, rate: float) -> None:
        self.quota = max(1, math.floor(rate))
        self.window = -1
        self.used = 0
        self.now = 0.0

    def take(self, now: float) -> float:
        self.now = now
        window = math.floor(now)
        if window != self.window:
            self.window, self.used = window, 0
        if self.used < self.quota:
            self.used += 1
            return 0.0
        return self.reset_s()

    def policy(self) -> str:
        return f"{self.quota};w=1"

    def remaining(self) -> int:
        return self.quota - self.used

    def reset_s(self) -> float:
        return self.window + 1 - self.now


def limit_headers(limiter: TokenBucket | FixedWindow) -> dict[str, str]:
    """The limit as both header families announce it; Reset in whole seconds, at least 1."""
    limit = limiter.policy().split(";", 1)[0]
    remaining = str(limiter.remaining())
    reset = str(max(1, math.ceil(limiter.reset_s())))
    return {
        "RateLimit-Policy": limiter.policy(),
        "RateLimit-Limit": limit, "RateLimit-Remaining": remaining, "RateLimit-Reset": reset,
        "X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining, "X-RateLimit-Reset": reset,
    }


@dataclass
class Verdict:
    drop: bool = False
    retry_after: int | None = None  # set when rate limited
    error_status: int | None = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FaultInjector:
    def __init__(self, settings: FaultSettings, seed: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._initial = settings
        self._seed = seed
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        self._rng = random.Random(f"relate-emulator-faults:{self._seed}")
        self.settings = self._initial
        self._configure_limiter()

    def _configure_limiter(self) -> None:
        s = self.settings
        self._limiter: TokenBucket | FixedWindow | None = None
        if s.rate_limit is None:
            return
        if s.rate_limit_kind == "fixed_window":
            self._limiter = FixedWindow(s.rate_limit)
        else:
            burst = s.rate_limit_burst if s.rate_limit_burst is not None else max(1.0, s.rate_limit)
            self._limiter = TokenBucket(s.rate_limit, burst, self._clock())

    def update(self, changes: dict[str, Any]) -> FaultSettings:
        self.settings = self.settings.updated(changes)
        if any(name.startswith("rate_limit") and name != "rate_limit_headers" for name in changes):
            self._configure_limiter()
        return self.settings

    def judge(self, path: str = "/") -> Verdict:
        """What happens to the next public request, in order: dropped, rate limited, delayed, failed.

        Drops and errors hit only the requests whose path starts with one of `paths`, when any are set.
        """
        s = self.settings
        rng = self._rng
        if s.paths and not path.startswith(tuple(s.paths)):
            s = FaultSettings(**{**s.as_dict(), "drop_rate": 0.0, "error_rate": 0.0})
        if s.drop_rate and rng.random() < s.drop_rate:
            return Verdict(drop=True)
        headers: dict[str, str] = {}
        if self._limiter is not None:
            wait = self._limiter.take(self._clock())
            if s.rate_limit_headers:
                headers = limit_headers(self._limiter)
            if wait > 0:
                return Verdict(retry_after=max(1, math.ceil(wait)), headers=headers)
        delay = s.latency_ms + (rng.uniform(0, s.latency_jitter_ms) if s.latency_jitter_ms else 0.0)
        if s.spike_rate and rng.random() < s.spike_rate:
            delay += s.spike_ms
        status = rng.choice(s.error_statuses) if s.error_rate and rng.random() < s.error_rate else None
        return Verdict(error_status=status, delay_s=delay / 1000.0, headers=headers)
