"""Request counters for one client instance.

The pipeline reports these as run metadata and the benchmark reads them, so they must be exact
even when a sync client is shared by threads: every update takes a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_COUNTERS = (
    "requests",
    "retries",
    "rate_limited",
    "server_errors",
    "transport_errors",
    "bytes_received",
)


class RequestStats:
    """Counts HTTP attempts (not logical calls): a call retried twice adds 3 requests, 2 retries.

    `rate_limited` counts 429 answers received, `server_errors` 5xx answers received,
    `transport_errors` timeouts and broken connections; `peak_in_flight` is the most requests this
    client ever had on the wire at once, which is how the concurrency bound is observed.

    `rate_found_per_minute` is the process-wide gate's view, not this client's count: the API's
    limit as the gate found it (announced in headers, or the rate the server let requests through
    at before its latest 429), in whole requests per minute; 0 while the server has neither
    pushed back nor announced a limit.
    """

    def __init__(self, rate_found: Callable[[], float | None] = lambda: None) -> None:
        self._rate_found = rate_found
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(_COUNTERS, 0)
        self._in_flight = 0
        self._peak_in_flight = 0

    def add(self, **increments: int) -> None:
        with self._lock:
            for name, amount in increments.items():
                if name not in self._counts:
                    raise KeyError(f"unknown request counter {name!r}")
                self._counts[name] += amount

    def started(self) -> None:
        with self._lock:
            self._counts["requests"] += 1
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)

    def finished(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @property
    def requests(self) -> int:
        return self._counts["requests"]

    @property
    def retries(self) -> int:
        return self._counts["retries"]

    @property
    def rate_limited(self) -> int:
        return self._counts["rate_limited"]

    @property
    def server_errors(self) -> int:
        return self._counts["server_errors"]

    @property
    def transport_errors(self) -> int:
        return self._counts["transport_errors"]

    @property
    def bytes_received(self) -> int:
        return self._counts["bytes_received"]

    @property
    def peak_in_flight(self) -> int:
        return self._peak_in_flight

    @property
    def rate_found(self) -> float | None:
        """Requests/second the gate found for this API, or None while the server is silent."""
        return self._rate_found()

    def as_dict(self) -> dict[str, int]:
        rate = self._rate_found()
        with self._lock:
            return {
                **self._counts,
                "peak_in_flight": self._peak_in_flight,
                "rate_found_per_minute": 0 if rate is None else round(rate * 60),
            }

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={value}" for name, value in self.as_dict().items())
        return f"RequestStats({body})"
