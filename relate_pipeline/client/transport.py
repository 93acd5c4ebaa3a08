"""Sending one logical request: gate, send, count, classify, retry — sync and async.

Both transports share everything except the I/O call: `_Exchange` holds the per-request
bookkeeping and turns a response into either the response, a retryable signal, or the final
error. The API key is set once as a default header on the httpx clients and is never copied
anywhere else; error text is built from method, path and query only, and any echo of the key in
a server message is masked.
"""

from __future__ import annotations

import asyncio
import functools
import math
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import tenacity

from relate_pipeline.client.aiohttp_transport import AiohttpTransport
from relate_pipeline.client.config import ClientSettings
from relate_pipeline.client.envelope import error_details
from relate_pipeline.client.errors import (
    TransportError,
    UnexpectedResponseError,
    describe_request,
    error_for_status,
)
from relate_pipeline.client.ratelimit import RateGate
from relate_pipeline.client.retry import (
    RETRYABLE_STATUSES,
    RetryableStatus,
    RetryPolicy,
    parse_retry_after,
)
from relate_pipeline.client.stats import RequestStats

USER_AGENT = "relate-pipeline/0.1 (+httpx)"


@dataclass(frozen=True)
class ApiRequest:
    """One API call; `path` is relative to the base URL and already percent-encoded."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every pool in the process.

    httpx builds a context per client by default, and loading the CA bundle costs ~40 ms each
    time: paid per shard, per client, it dominated short fetch batches in the benchmark.
    """
    return httpx.create_ssl_context()


def _client_options(settings: ClientSettings) -> dict[str, Any]:
    return {
        "headers": {
            "Authorization": f"Bearer {settings.api_key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        },
        "timeout": httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        "follow_redirects": False,
        "verify": _tls_context(),
    }


def _absolute_path(base_path: str, request: ApiRequest) -> str:
    return f"{base_path}/{request.path.lstrip('/')}"


class _Exchange:
    """Bookkeeping for one logical request across its attempts."""

    def __init__(
        self, request: ApiRequest, settings: ClientSettings, base_path: str, gate: RateGate
    ) -> None:
        self.request = request
        self.path = _absolute_path(base_path, request)
        self._api_key = settings.api_key
        self._retry_after_cap = settings.retry_after_cap
        self._gate = gate

    @functools.cached_property
    def description(self) -> str:
        return describe_request(self.request.method, self.path, self.request.params)

    def classify(self, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if 200 <= status < 300:
            return response
        if 300 <= status < 400:
            raise UnexpectedResponseError(
                f"{self.description} -> HTTP {status} redirect (redirects are not followed; "
                "check base_url)",
                method=self.request.method,
                path=self.path,
                status=status,
            )
        message, field = error_details(response.content)
        message = message.replace(self._api_key, "***")
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None and status in RETRYABLE_STATUSES:
            # Hold every request to this API now, whether or not this one will be retried.
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


def _count_response(stats: RequestStats, response: httpx.Response) -> None:
    status = response.status_code
    stats.add(
        bytes_received=len(response.content),
        rate_limited=int(status == 429),
        server_errors=int(status >= 500),
    )


class _TransportBase:
    """What both transports share: settings, counters, the gate, the retry policy, URLs."""

    def __init__(self, settings: ClientSettings, stats: RequestStats, gate: RateGate) -> None:
        self._settings = settings
        self._stats = stats
        self._gate = gate
        self._policy = RetryPolicy(settings, stats, gate)
        self._base_path = urlsplit(settings.base_url).path.rstrip("/")
        self._url_prefix = settings.base_url + "/"

    def describe(self, request: ApiRequest) -> str:
        return describe_request(
            request.method, _absolute_path(self._base_path, request), request.params
        )

    def _exchange(self, request: ApiRequest) -> _Exchange:
        return _Exchange(request, self._settings, self._base_path, self._gate)

    def _url(self, request: ApiRequest) -> httpx.URL:
        """The absolute URL, parsed once: httpx's base_url merge re-parses it three times."""
        return httpx.URL(self._url_prefix + request.path.lstrip("/"))

    def _retrying_kwargs(self, exchange: _Exchange) -> dict[str, Any]:
        return self._policy.tenacity_kwargs(exchange.request.method, exchange.description)


def _replay(failure: BaseException | None) -> None:
    """Re-raise the first attempt's failure inside tenacity's first attempt.

    Most requests succeed at once, so the transports make the first attempt directly and only
    build a tenacity retry loop (~0.1 ms per request) after something failed; replaying that
    failure as tenacity's attempt 1 keeps attempt numbering, backoff, stop and logging exactly as
    if tenacity had run from the start.
    """
    if failure is not None:
        raise failure


class SyncTransport(_TransportBase):
    """A pooled httpx.Client (keep-alive reuse) behind the retry policy and the shared gate."""

    def __init__(self, settings: ClientSettings, stats: RequestStats, gate: RateGate) -> None:
        super().__init__(settings, stats, gate)
        pool = settings.max_concurrency
        self._client = httpx.Client(
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            **_client_options(settings),
        )

    def send(self, request: ApiRequest) -> httpx.Response:
        exchange = self._exchange(request)
        try:
            try:
                return self._attempt(exchange)
            except (RetryableStatus, httpx.TransportError) as exc:
                first_failure: BaseException | None = exc
            for attempt in tenacity.Retrying(**self._retrying_kwargs(exchange)):
                with attempt:
                    failure, first_failure = first_failure, None
                    _replay(failure)
                    response = self._attempt(exchange)
        except RetryableStatus as exc:
            raise exc.error from None
        except httpx.TransportError as exc:
            raise exchange.transport_error(exc) from exc
        return response

    def _attempt(self, exchange: _Exchange) -> httpx.Response:
        self._gate.wait()
        request = exchange.request
        self._stats.started()
        try:
            response = self._client.request(
                request.method, self._url(request), params=request.params, json=request.json
            )
        except httpx.TransportError:
            self._stats.add(transport_errors=1)
            raise
        finally:
            self._stats.finished()
        _count_response(self._stats, response)
        return exchange.classify(response)

    def close(self) -> None:
        self._client.close()


class AsyncTransport(_TransportBase):
    """Bounded httpx.AsyncClients behind the retry policy and the shared gate.

    `max_concurrency` requests may be on the wire at once (a semaphore held per attempt, not
    across retry sleeps, so a backing-off request does not starve the others). With the aiohttp
    transport one AsyncClient carries them all. With httpx's own httpcore transport they are
    spread over ceil(max_concurrency / shard_size) AsyncClients, each request taking the
    least-loaded one: a single httpcore pool degrades sharply as it grows (encode/httpcore#1035,
    encode/httpx#3215), several small pools much less. Bound to the event loop that first uses it.
    """

    def __init__(self, settings: ClientSettings, stats: RequestStats, gate: RateGate) -> None:
        super().__init__(settings, stats, gate)
        if settings.async_transport == "aiohttp":
            transport = AiohttpTransport(
                max_connections=settings.max_concurrency, ssl_context=_tls_context()
            )
            self._shards = [httpx.AsyncClient(transport=transport, **_client_options(settings))]
        else:
            shards = math.ceil(settings.max_concurrency / settings.shard_size)
            per_shard = math.ceil(settings.max_concurrency / shards)
            limits = httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard)
            self._shards = [
                httpx.AsyncClient(limits=limits, **_client_options(settings))
                for _ in range(shards)
            ]
        self._load = [0] * len(self._shards)
        self._slots = asyncio.Semaphore(settings.max_concurrency)

    @property
    def shard_count(self) -> int:
        return len(self._shards)

    async def send(self, request: ApiRequest) -> httpx.Response:
        exchange = self._exchange(request)
        try:
            try:
                return await self._attempt(exchange)
            except (RetryableStatus, httpx.TransportError) as exc:
                first_failure: BaseException | None = exc
            async for attempt in tenacity.AsyncRetrying(**self._retrying_kwargs(exchange)):
                with attempt:
                    failure, first_failure = first_failure, None
                    _replay(failure)
                    response = await self._attempt(exchange)
        except RetryableStatus as exc:
            raise exc.error from None
        except httpx.TransportError as exc:
            raise exchange.transport_error(exc) from exc
        return response

    async def _attempt(self, exchange: _Exchange) -> httpx.Response:
        request = exchange.request
        async with self._slots:
            await self._gate.wait_async()
            shard = min(range(len(self._shards)), key=self._load.__getitem__)
            self._load[shard] += 1
            self._stats.started()
            try:
                response = await self._shards[shard].request(
                    request.method, self._url(request), params=request.params, json=request.json
                )
            except httpx.TransportError:
                self._stats.add(transport_errors=1)
                raise
            finally:
                self._load[shard] -= 1
                self._stats.finished()
        _count_response(self._stats, response)
        return exchange.classify(response)

    async def aclose(self) -> None:
        await asyncio.gather(*(shard.aclose() for shard in self._shards))
