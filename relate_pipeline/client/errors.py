"""Exceptions raised by the Relate API client.

Every message names the request (method, path, query) and the server's answer, because an
ETL failure at 3 a.m. must be diagnosable from the log line alone. Headers are never part of a
message: the API key travels only in the Authorization header, so leaving headers out is what
keeps it out of logs, tracebacks and reprs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

_SECRET_PARAM_HINTS = ("key", "token", "secret", "password", "auth", "signature")


def describe_request(method: str, path: str, params: Mapping[str, Any] | None = None) -> str:
    """Render `METHOD /path?query` with secret-looking query values masked.

    The client never sends secrets in a query string, but callers may pass arbitrary params to
    list endpoints; masking by name keeps an accidental `?api_key=` out of error text.
    """
    if not params:
        return f"{method} {path}"
    shown = {
        name: ("***" if any(hint in name.lower() for hint in _SECRET_PARAM_HINTS) else value)
        for name, value in params.items()
        if value is not None
    }
    return f"{method} {path}?{urlencode(shown, doseq=True)}" if shown else f"{method} {path}"


class RelateError(Exception):
    """Base of every error the client raises, so callers can catch the whole family at once."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        server_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message


class AuthenticationError(RelateError):
    """401/403: retrying cannot help, and every other request with this key will fail too."""


class NotFoundError(RelateError):
    """404: the object does not exist, or is not exposed (an event without a done recording)."""


class ValidationError(RelateError):
    """400/422: the server rejected the input; `field` names the offending field when it says."""

    def __init__(self, message: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.field = field


class RateLimitedError(RelateError):
    """429 answers outlasted every retry."""

    def __init__(self, message: str, *, retry_after: float | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class ServerError(RelateError):
    """5xx answers outlasted every retry (or a non-idempotent request met one)."""


class TransportError(RelateError):
    """Timeouts, refused or dropped connections that outlasted every retry."""


class UnexpectedResponseError(RelateError):
    """The server answered with something the documented API never sends (bad JSON, odd status)."""


class PaginationError(UnexpectedResponseError):
    """A list's cursor stopped advancing; continuing would loop forever or return partial data."""


def error_for_status(
    status: int,
    *,
    request: str,
    method: str,
    path: str,
    server_message: str,
    field: str | None = None,
    retry_after: float | None = None,
) -> RelateError:
    """Map an HTTP error status to the exception a caller should see for it.

    `request` is the `describe_request` rendering; `server_message` must already be free of
    secrets (the transport redacts the key before calling this).
    """
    text = f"{request} -> HTTP {status}: {server_message}"
    context: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "server_message": server_message,
    }
    if status in (401, 403):
        return AuthenticationError(text, **context)
    if status == 404:
        return NotFoundError(text, **context)
    if status in (400, 422):
        if field:
            text = f"{text} (field: {field})"
        return ValidationError(text, field=field, **context)
    if status == 429:
        return RateLimitedError(text, retry_after=retry_after, **context)
    if 500 <= status <= 599:
        return ServerError(text, **context)
    return UnexpectedResponseError(text, **context)
