"""Injected misbehaviour for the public API: latency, stalls, rate limiting, 5xx answers and dropped connections.

Fault decisions use their own seeded generator, so a given seed and request sequence misbehaves the
same way each run; the rate limiter runs on real (monotonic) time, since clients back off in real time.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import invalid

ERROR_STATUSES = (500, 502, 503, 504)


@dataclass
class FaultSettings:
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    spike_rate: float = 0.0
    spike_ms: float = 0.0
    rate_limit: float = 0.0  # requests per second across the server; 0 turns limiting off
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
            if name == "paths":
                if not isinstance(value, list) or any(not isinstance(p, str) or not p.startswith("/") for p in value):
                    raise invalid(name, "must be an array of path prefixes starting with '/'")
                values[name] = list(value)
                continue
            if name == "error_statuses":
                if not isinstance(value, list) or not value or any(s not in ERROR_STATUSES for s in value):
                    raise invalid(name, f"must be a non-empty array drawn from {list(ERROR_STATUSES)}")
                values[name] = [int(s) for s in value]
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise invalid(name, "must be a non-negative number")
            if name.endswith("_rate") and name != "rate_limit" and value > 1:
                raise invalid(name, "is a probability and must be between 0 and 1")
            if name == "max_page_size":
                if int(value) != value or value < 1:
                    raise invalid(name, "must be a positive integer")
                value = int(value)
            values[name] = value
        return FaultSettings(**values)


class TokenBucket:
    """Allows `rate` requests per second with bursts of up to `rate` (at least one) requests."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when the request may proceed, else the seconds until a token is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass
class Verdict:
    drop: bool = False
    retry_after: int | None = None  # set when rate limited
    error_status: int | None = None
    delay_s: float = 0.0


class FaultInjector:
    def __init__(self, settings: FaultSettings, seed: int) -> None:
        self._initial = settings
        self._seed = seed
        self.reset()

    def reset(self) -> None:
        self._rng = random.Random(f"relate-emulator-faults:{self._seed}")
        self.settings = self._initial
        self._bucket: TokenBucket | None = None
        self._configure_bucket()

    def _configure_bucket(self) -> None:
        rate = self.settings.rate_limit
        self._bucket = TokenBucket(rate) if rate > 0 else None

    def update(self, changes: dict[str, Any]) -> FaultSettings:
        self.settings = self.settings.updated(changes)
        if "rate_limit" in changes:
            self._configure_bucket()
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
        if self._bucket is not None:
            wait = self._bucket.take()
            if wait > 0:
                return Verdict(retry_after=max(1, math.ceil(wait)))
        delay = s.latency_ms + (rng.uniform(0, s.latency_jitter_ms) if s.latency_jitter_ms else 0.0)
        if s.spike_rate and rng.random() < s.spike_rate:
            delay += s.spike_ms
        status = rng.choice(s.error_statuses) if s.error_rate and rng.random() < s.error_rate else None
        return Verdict(error_status=status, delay_s=delay / 1000.0)
