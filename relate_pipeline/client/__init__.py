"""Relate API client: sync and async, with retries, a shared rate gate and cursor pagination.

One HTTP stack per mode. The sync client runs on httpx, the design's named client. The async
client runs on aiohttp, straight through (aiohttp_transport.py): it is the stack that keeps the
fan-out near the latency bound up to the default concurrency on two cores, as the fetch curve in
docs/benchmarks.md ("Fetch: recordings per second vs concurrency") shows. httpx's own async stack
was measured beside it, sharded over several small pools because one large httpcore pool
degrades as it grows (encode/httpcore#1035): it spent several times aiohttp's CPU per request
and fell short of the bound where aiohttp did not, so it was removed rather than kept as a
second path to maintain.

The public surface is the two clients' methods, one per read endpoint of the API reference: for
contacts, organizations, notes, custom fields, lists and entries `list_*` and `get_*` (and
`find_contacts`); for calendar events and recordings `list_calendar_events`,
`get_calendar_event`, `get_recording` and `get_recording_raw`; on the async client `fetch_many` /
`get_recordings_raw` for fan-outs. The pipeline only reads, so the clients only read; the tests'
own support (tests/support/writing_client.py) adds the create, update and delete endpoints on
top of the same request path, and the retry policy still knows a write: it retries one only
where the server surely did not act (retry.py).

Imports nothing from the emulator: it is written from the API reference, so the emulator can
check it instead of mirroring it.
"""

from relate_pipeline.client.api import AsyncRelateClient, RelateClient
from relate_pipeline.client.config import ClientSettings
from relate_pipeline.client.errors import (
    AuthenticationError,
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
