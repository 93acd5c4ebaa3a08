"""Relate API client: sync and async, with retries, a shared rate gate and cursor pagination.

One HTTP stack per mode. The sync client runs on httpx, the design's named client. The async
client runs on aiohttp, straight through (aiohttp_transport.py): it is the stack that keeps the
fan-out near the latency bound up to the default concurrency on two cores, as the fetch curve in
docs/benchmarks.md ("Fetch: recordings per second vs concurrency") shows. httpx's own async stack
was measured beside it, sharded over several small pools because one large httpcore pool
degrades as it grows (encode/httpcore#1035): it spent several times aiohttp's CPU per request
and fell short of the bound where aiohttp did not, so it was removed rather than kept as a
second path to maintain.

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
