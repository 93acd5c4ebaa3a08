"""When to retry, how long to wait, and what a 429 does to everybody else.

Retries are driven by tenacity; this module supplies its predicates and wait strategy:

* Retried: 429, 500, 502, 503, 504, timeouts and broken connections. Never retried: other 4xx
  (401/403/404/400/422 will not change by asking again).
* POST (create) is not idempotent: a create that hit a 5xx or a dropped/timed-out response may
  have been stored, and repeating it would create a duplicate. POST is therefore retried only
  when the server certainly did not act on it — a 429, or a connection that was never
  established. Everything else is surfaced to the caller, who can check before re-creating.
  PATCH and DELETE are retried: repeating them leaves the same end state, though a DELETE whose
  first answer was lost may then report NotFoundError for an object it did delete.
* Waits use full-jitter exponential backoff (tenacity's `wait_random_exponential`), except that
  a `Retry-After` header (delta-seconds or HTTP-date) is honoured up to `retry_after_cap`, plus a
  little jitter so the paused workers do not all return in the same millisecond. A Retry-After
  that is negative, not a number or not a date is ignored (backoff applies); one above the cap
  is cut to the cap with a warning naming both, and every retry sleep is logged, so no request
  ever sleeps long without a line saying why.
* What a 429 does to every other request of the process is the shared gate's business
  (ratelimit.py): it paces, cuts the rate and, for a long enough Retry-After, pauses. A 5xx
  carrying Retry-After pauses the gate as soon as it arrives (transport.py).
"""

from __future__ import annotations

import logging
import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import tenacity

from relate_pipeline.client.config import ClientSettings
from relate_pipeline.client.errors import RelateError
from relate_pipeline.client.stats import RequestStats

logger = logging.getLogger("relate_pipeline.client")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


class RetryableStatus(Exception):
    """A retryable answer travelling through tenacity; `error` is raised if the retries run out."""

    def __init__(self, error: RelateError, retry_after: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after

    @property
    def status(self) -> int | None:
        return self.error.status


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header, or None if absent or unreadable.

    RFC 9110 allows delta-seconds or an HTTP-date; a date in the past means "now" (0 s). A
    negative or non-finite number is not delta-seconds and counts as unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
        if seconds < 0:
            return None
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def is_retryable(method: str, exc: BaseException) -> bool:
    idempotent = method.upper() in _IDEMPOTENT
    if isinstance(exc, RetryableStatus):
        return idempotent or exc.status == 429
    if isinstance(exc, _RETRYABLE_TRANSPORT):
        return idempotent or isinstance(exc, _NEVER_SENT)
    return False


class RetryPolicy:
    """tenacity configuration for one client: its settings and counters."""

    def __init__(self, settings: ClientSettings, stats: RequestStats) -> None:
        self._settings = settings
        self._stats = stats
        self._backoff = tenacity.wait_random_exponential(
            multiplier=settings.backoff_base, max=settings.backoff_max
        )

    def tenacity_kwargs(self, method: str, request: str) -> dict[str, Any]:
        return {
            "stop": tenacity.stop_after_attempt(self._settings.max_retries + 1),
            "wait": self._wait,
            "retry": tenacity.retry_if_exception(lambda exc: is_retryable(method, exc)),
            "before_sleep": lambda state: self._before_sleep(state, request),
            "reraise": True,
        }

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            cap = self._settings.retry_after_cap
            if retry_after > cap:
                logger.warning(
                    "the server asked to wait %.0fs (Retry-After); waiting retry_after_cap "
                    "%.0fs instead",
                    retry_after,
                    cap,
                )
            jitter = random.uniform(0, min(self._settings.backoff_base, 1.0))
            return min(retry_after, cap) + jitter
        return self._backoff(state)

    def _before_sleep(self, state: tenacity.RetryCallState, request: str) -> None:
        self._stats.add(retries=1)
        exc = state.outcome.exception() if state.outcome else None
        status = getattr(exc, "status", None)
        reason = f"HTTP {status}" if status else type(exc).__name__
        logger.info(
            "%s failed (%s); retry %d/%d in %.2fs",
            request,
            reason,
            state.attempt_number,
            self._settings.max_retries,
            state.upcoming_sleep,
        )
