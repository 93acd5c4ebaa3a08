"""Cross-cutting request handling: the error shape, auth, fault injection and request statistics.

Order, outermost first: stats (sees final statuses) -> errors (everything becomes the JSON error shape)
-> auth -> faults (public `/v1` routes only; admin routes and `/openapi.json` are never faulted).
"""

from __future__ import annotations

import asyncio
import hmac
from collections import Counter
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import web

from .errors import ApiError
from .faults import FaultInjector
from .queued_changes import ChangeQueue

API_PREFIX = "/v1"
ADMIN_PREFIX = "/_admin"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(payload), status=status, content_type="application/json")


def error_response(status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None) -> web.Response:
    response = json_response(ApiError(status, message, field).body(), status)
    response.headers.update(headers or {})
    return response


class Stats:
    """Counts of public requests, for tests and benchmarks to see what a client actually did."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.rate_limited = 0
        self.injected_errors = 0
        self.dropped = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_requests": sum(self.requests.values()),
            "requests": dict(self.requests),
            "statuses": dict(self.statuses),
            "rate_limited": self.rate_limited,
            "injected_errors": self.injected_errors,
            "dropped": self.dropped,
        }


FAULTS = web.AppKey("faults", FaultInjector)
QUEUED_CHANGES = web.AppKey("queued_changes", ChangeQueue)
STATS = web.AppKey("stats", Stats)
API_KEY = web.AppKey("api_key", str)
DROPPED = "relate_emulator_dropped"


def endpoint_name(request: web.Request) -> str:
    route = request.match_info.route
    resource = route.resource
    if request.match_info.http_exception is not None or resource is None:
        return f"{request.method} (unrouted)"
    return f"{request.method} {resource.canonical}"


@web.middleware
async def stats_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if request.path.startswith(API_PREFIX + "/"):
        stats = request.app[STATS]
        endpoint = endpoint_name(request)
        stats.requests[endpoint] += 1
        request.app[QUEUED_CHANGES].seen(endpoint)
        if request.get(DROPPED):
            stats.dropped += 1
        else:
            stats.statuses[str(response.status)] += 1
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return json_response(exc.body(), exc.status)
    except web.HTTPMethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.allowed_methods))
        return error_response(405, f"{request.method} is not allowed on {request.path} (allowed: {allowed})", headers={"Allow": allowed})
    except web.HTTPNotFound:
        return error_response(404, f"no route for {request.method} {request.path}")
    except web.HTTPException as exc:
        return error_response(exc.status, exc.reason)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith((API_PREFIX + "/", ADMIN_PREFIX + "/")) or request.path in (API_PREFIX, ADMIN_PREFIX):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return error_response(401, "missing API key: send Authorization: Bearer <api key>", headers={"WWW-Authenticate": "Bearer"})
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), request.app[API_KEY].encode()):
            return error_response(401, "invalid API key", headers={"WWW-Authenticate": "Bearer"})
    return await handler(request)


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(API_PREFIX + "/"):
        return await handler(request)
    verdict = request.app[FAULTS].judge(request.path)
    stats = request.app[STATS]
    if verdict.drop:
        request[DROPPED] = True
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)
    if verdict.retry_after is not None:
        stats.rate_limited += 1
        return error_response(429, f"rate limit exceeded; retry after {verdict.retry_after} s",
                              headers={"Retry-After": str(verdict.retry_after), **verdict.headers})
    if verdict.delay_s:
        await asyncio.sleep(verdict.delay_s)
    if verdict.error_status is not None:
        stats.injected_errors += 1
        return error_response(verdict.error_status, f"injected fault: upstream answered {verdict.error_status}",
                              headers=verdict.headers)
    try:
        response = await handler(request)
    except ApiError as exc:
        response = json_response(exc.body(), exc.status)
    response.headers.update(verdict.headers)
    return response
