"""Sending one logical request: gate, send, count, classify, retry — sync and async.

Both transports share everything except the I/O call: `_Exchange` holds the per-request
bookkeeping and turns a `Reply` into either the reply, a retryable signal, or the final error,
and `_TransportBase` owns the retry policy, counters and gate. The I/O call is httpx for the sync
client and an `AiohttpSender` for the async one, which raises httpx's exception types so the
retry policy classifies failures the same way for both (why two stacks: client/__init__.py).
The API key is set once as a default header on each client or session and is never copied
anywhere else; error text is built from method, path and query only, and any echo of the key in a
server message is masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import tenacity

from relate_pipeline.client.aiohttp_transport import AiohttpSender
from relate_pipeline.client.config import ClientSettings
from relate_pipeline.client.envelope import error_details
from relate_pipeline.client.errors import (
    TransportError,
    UnexpectedResponseError,
    describe_request,
    error_for_status,
)
from relate_pipeline.client.ratelimit import RateGate, Ticket
from relate_pipeline.client.retry import (
    RETRYABLE_STATUSES,
    RetryableStatus,
    RetryPolicy,
    parse_retry_after,
)
from relate_pipeline.client.stats import RequestStats
from relate_pipeline.client.wire import (
    JSON_BODY_HEADERS,
    ApiRequest,
    Reply,
    default_headers,
    encoded_json,
    tls_context,
)


def _httpx_options(settings: ClientSettings) -> dict[str, Any]:
    return {
        "headers": default_headers(settings),
        "timeout": httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        "follow_redirects": False,
        "verify": tls_context(),
    }


def _httpx_body_kwargs(body: bytes | None) -> dict[str, Any]:
    return {} if body is None else {"content": body, "headers": JSON_BODY_HEADERS}


def _reply(response: httpx.Response) -> Reply:
    return Reply(response.status_code, response.headers, response.content)


class _Exchange:
    """Bookkeeping for one logical request across its attempts.

    The JSON body is encoded here, once: a body that cannot be sent fails before anything is
    counted or sent, and retries resend the same bytes.
    """

    def __init__(
        self, request: ApiRequest, settings: ClientSettings, base_path: str, gate: RateGate
    ) -> None:
        relative = request.path.lstrip("/")
        self.request = request
        self.path = f"{base_path}/{relative}"
        self.url = f"{settings.base_url}/{relative}"
        self._api_key = settings.api_key
        self._retry_after_cap = settings.retry_after_cap
        self._gate = gate
        self.body = None if request.json is None else self._encoded_body(request.json)

    @functools.cached_property
    def description(self) -> str:
        return describe_request(self.request.method, self.path, self.request.params)

    def _encoded_body(self, body: Any) -> bytes:
        try:
            return encoded_json(body)
        except (TypeError, ValueError) as exc:
            message = f"{self.description}: the body cannot be sent as JSON ({exc})"
            raise type(exc)(message) from None

    def classify(self, reply: Reply, ticket: Ticket) -> Reply:
        """The reply if it succeeded, else the error; the gate learns from every answer."""
        status = reply.status_code
        retry_after = None if 200 <= status < 300 else parse_retry_after(
            reply.headers.get("Retry-After")
        )
        self._gate.settle(
            ticket,
            status,
            reply.headers,
            retry_after if status == 429 else None,
            pause_cap=self._retry_after_cap,
        )
        if 200 <= status < 300:
            return reply
        if 300 <= status < 400:
            raise UnexpectedResponseError(
                f"{self.description} -> HTTP {status} redirect (redirects are not followed; "
                "check base_url)",
                method=self.request.method,
                path=self.path,
                status=status,
            )
        message, field = error_details(reply.content)
        message = message.replace(self._api_key, "***")
        if retry_after is not None and status in RETRYABLE_STATUSES and status != 429:
            # An overloaded server's Retry-After holds every request to this API now, whether
            # or not this one will be retried; a 429's is the gate's to weigh (ratelimit.py).
            self._gate.pause(min(retry_after, self._retry_after_cap))
        error = error_for_status(
            status,
            request=self.description,
            method=self.request.method,
            path=self.path,
            server_message=message,
            field=field,
            retry_after=retry_after,
        )
        if status in RETRYABLE_STATUSES:
            raise RetryableStatus(error, retry_after)
        raise error

    def transport_error(self, exc: httpx.TransportError) -> TransportError:
        detail = str(exc).replace(self._api_key, "***") or "no detail"
        return TransportError(
            f"{self.description} -> {type(exc).__name__}: {detail}",
            method=self.request.method,
            path=self.path,
        )


class _TransportBase:
    """What both transports share: settings, counters, the gate, the retry policy, paths."""

    def __init__(self, settings: ClientSettings, stats: RequestStats, gate: RateGate) -> None:
        self._settings = settings
        self._stats = stats
        self._gate = gate
        self._policy = RetryPolicy(settings, stats)
        self._base_path = urlsplit(settings.base_url).path.rstrip("/")

    def describe(self, request: ApiRequest) -> str:
        path = f"{self._base_path}/{request.path.lstrip('/')}"
        return describe_request(request.method, path, request.params)

    def _exchange(self, request: ApiRequest) -> _Exchange:
        return _Exchange(request, self._settings, self._base_path, self._gate)

    def _retrying_kwargs(self, exchange: _Exchange) -> dict[str, Any]:
        return self._policy.tenacity_kwargs(exchange.request.method, exchange.description)

    @contextlib.contextmanager
    def _on_the_wire(self, ticket: Ticket) -> Iterator[None]:
        """Counts the attempt as in flight; one that got no answer frees its place in the gate."""
        self._stats.started()
        try:
            yield
        except BaseException as exc:
            self._gate.abandon(ticket)
            if isinstance(exc, httpx.TransportError):
                self._stats.add(transport_errors=1)
            raise
        finally:
            self._stats.finished()

    def _count(self, reply: Reply) -> Reply:
        status = reply.status_code
        self._stats.add(
            bytes_received=len(reply.content),
            rate_limited=int(status == 429),
            server_errors=int(status >= 500),
        )
        return reply


class SyncTransport(_TransportBase):
    """A pooled httpx.Client (keep-alive reuse) behind the retry policy and the shared gate."""

    def __init__(self, settings: ClientSettings, stats: RequestStats, gate: RateGate) -> None:
        super().__init__(settings, stats, gate)
        pool = settings.max_concurrency
        self._client = httpx.Client(
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            **_httpx_options(settings),
        )

    def send(self, request: ApiRequest) -> Reply:
        exchange = self._exchange(request)
        try:
            for attempt in tenacity.Retrying(**self._retrying_kwargs(exchange)):
                with attempt:
                    reply = self._attempt(exchange)
        except RetryableStatus as exc:
            raise exc.error from None
        except httpx.TransportError as exc:
            raise exchange.transport_error(exc) from exc
        return reply

    def _attempt(self, exchange: _Exchange) -> Reply:
        ticket = self._gate.wait()
        request = exchange.request
        with self._on_the_wire(ticket):
            response = self._client.request(
                request.method,
                exchange.url,
                params=request.params,
                **_httpx_body_kwargs(exchange.body),
            )
        return exchange.classify(self._count(_reply(response)), ticket)

    def close(self) -> None:
        self._client.close()


class AsyncTransport(_TransportBase):
    """An async sender behind the retry policy, the shared gate and a concurrency bound.

    `max_concurrency` requests may be on the wire at once: a semaphore held per attempt, not
    across retry sleeps, so a backing-off request does not starve the others. Bound to the event
    loop that first uses it.
    """

    def __init__(self, settings: ClientSettings, stats: RequestStats, gate: RateGate) -> None:
        super().__init__(settings, stats, gate)
        self._sender = AiohttpSender(settings, tls_context())
        self._slots = asyncio.Semaphore(settings.max_concurrency)

    async def send(self, request: ApiRequest) -> Reply:
        exchange = self._exchange(request)
        try:
            async for attempt in tenacity.AsyncRetrying(**self._retrying_kwargs(exchange)):
                with attempt:
                    reply = await self._attempt(exchange)
        except RetryableStatus as exc:
            raise exc.error from None
        except httpx.TransportError as exc:
            raise exchange.transport_error(exc) from exc
        return reply

    async def _attempt(self, exchange: _Exchange) -> Reply:
        async with self._slots:
            ticket = await self._gate.wait_async()
            with self._on_the_wire(ticket):
                reply = await self._sender.send(
                    exchange.request.method, exchange.url, exchange.request.params, exchange.body
                )
        return exchange.classify(self._count(reply), ticket)

    async def aclose(self) -> None:
        await self._sender.aclose()
