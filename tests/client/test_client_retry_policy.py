"""Retry-After parsing and which failures a request of each method may retry."""

from datetime import UTC, datetime

import httpx
import pytest

from relate_pipeline.client import ServerError
from relate_pipeline.client.retry import RetryableStatus, is_retryable, parse_retry_after

NOW = datetime(2026, 5, 16, 12, 0, 0, tzinfo=UTC)


def test_retry_after_delta_seconds():
    assert parse_retry_after("3", NOW) == 3.0


def test_retry_after_http_date_is_seconds_from_now():
    assert parse_retry_after("Sat, 16 May 2026 12:00:07 GMT", NOW) == 7.0


def test_retry_after_date_in_the_past_means_no_wait():
    assert parse_retry_after("Sat, 16 May 2026 11:00:00 GMT", NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "inf", "nan", "-5", "1e999"])
def test_unreadable_retry_after_is_ignored(value):
    assert parse_retry_after(value, NOW) is None


def _status(status: int) -> RetryableStatus:
    return RetryableStatus(ServerError("x", status=status), None)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_get_retries_every_retryable_status(status):
    assert is_retryable("GET", _status(status))


def test_post_retries_a_429_because_the_server_refused_before_acting():
    assert is_retryable("POST", _status(429))


def test_post_does_not_retry_a_500_because_the_create_may_have_happened():
    assert not is_retryable("POST", _status(500))


def test_post_retries_a_connection_that_was_never_established():
    assert is_retryable("POST", httpx.ConnectError("refused"))


def test_post_does_not_retry_a_read_timeout():
    assert not is_retryable("POST", httpx.ReadTimeout("slow"))


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("t"), httpx.RemoteProtocolError("dropped"), httpx.ReadError("reset")]
)
def test_get_retries_timeouts_and_dropped_connections(exc):
    assert is_retryable("GET", exc)
