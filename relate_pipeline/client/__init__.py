"""Relate API client: sync and async, with retries, a shared rate gate and cursor pagination.

Imports nothing from the emulator: it is written from the API reference, so the emulator can
check it instead of mirroring it.
"""

from relate_pipeline.client.api import AsyncRelateClient, RelateClient
from relate_pipeline.client.config import ClientSettings
from relate_pipeline.client.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PaginationError,
    RateLimitedError,
    RelateError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from relate_pipeline.client.stats import RequestStats
from relate_pipeline.client.windows import day_window

__all__ = [
    "AsyncRelateClient",
    "AuthenticationError",
    "ClientSettings",
    "ConfigurationError",
    "NotFoundError",
    "PaginationError",
    "RateLimitedError",
    "RelateClient",
    "RelateError",
    "RequestStats",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "ValidationError",
    "day_window",
]
