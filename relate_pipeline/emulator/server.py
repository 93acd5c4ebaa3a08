"""The aiohttp application: routing, auth, pagination, envelopes, fault injection, stats and admin routes.

Middleware order, outermost first: stats (sees final statuses) -> errors (everything becomes the JSON
error shape) -> auth -> faults (public `/v1` routes only; admin and `/openapi.json` are never faulted).
"""

from __future__ import annotations

import asyncio
import hmac
import math
from collections import Counter
from typing import Any, Awaitable, Callable

import orjson
from aiohttp import web

from . import validation as v
from .endpoints import ENDPOINTS, Endpoint
from .errors import ApiError, bad_request
from .faults import FaultInjector
from .openapi import build_document
from .store import Store
from .timefmt import iso_utc, parse_instant

API_PREFIX = "/v1"
ADMIN_PREFIX = "/_admin"
DEFAULT_PAGE_SIZE = 25
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


STORE = web.AppKey("store", Store)
FAULTS = web.AppKey("faults", FaultInjector)
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
        stats.requests[endpoint_name(request)] += 1
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
    verdict = request.app[FAULTS].judge()
    stats = request.app[STATS]
    if verdict.drop:
        request[DROPPED] = True
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)
    if verdict.retry_after is not None:
        stats.rate_limited += 1
        return error_response(429, f"rate limit exceeded; retry after {verdict.retry_after} s",
                              headers={"Retry-After": str(verdict.retry_after)})
    if verdict.delay_s:
        await asyncio.sleep(verdict.delay_s)
    if verdict.error_status is not None:
        stats.injected_errors += 1
        return error_response(verdict.error_status, f"injected fault: upstream answered {verdict.error_status}")
    return await handler(request)


def int_param(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(name, f"query parameter {name} must be a non-negative integer (got {raw!r})") from None
    if value < 0:
        raise bad_request(name, f"query parameter {name} must be a non-negative integer (got {raw!r})")
    return value


def unix_param(request: web.Request, name: str) -> float | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise bad_request(name, f"query parameter {name} must be a Unix timestamp in seconds (got {raw!r})") from None
    if not math.isfinite(value):
        raise bad_request(name, f"query parameter {name} must be a finite Unix timestamp (got {raw!r})")
    return value


def paginate(request: web.Request, items: list[Any], render: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """`first` items from offset `after`; the page is capped at the server's current max page size."""
    first = min(int_param(request, "first", DEFAULT_PAGE_SIZE), request.app[FAULTS].settings.max_page_size)
    after = int_param(request, "after", 0)
    page = items[after: after + first]
    end = after + len(page)
    return {
        "data": [render(item) for item in page] if render else page,
        "pagination": {"end_cursor": end, "has_next_page": end < len(items), "total_count": len(items)},
    }


async def json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request(None, f"request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise bad_request(None, "request body must be a JSON object")
    return body


class Api:
    """One method per public operation, named as in `endpoints.ENDPOINTS`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def list_contacts(self, request: web.Request) -> list[dict]:
        phone = request.query.get("phone_number")
        if phone is not None and v.normalize_phone(phone) is None:
            raise bad_request("phone_number", f"query parameter phone_number is not a phone number (got {phone!r})")
        return self.store.crm.list_contacts(request.query.get("email"), phone)

    def create_contact(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.create_contact(body)

    def get_contact(self, request: web.Request) -> dict:
        return self.store.crm.contact(request.match_info["id"])

    def update_contact(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.update_contact(request.match_info["id"], body)

    def delete_contact(self, request: web.Request) -> None:
        self.store.crm.delete_contact(request.match_info["id"])

    def delete_contact_emails(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.delete_contact_emails(request.match_info["id"], body)

    def list_organizations(self, request: web.Request) -> list[dict]:
        return self.store.crm.list_organizations()

    def create_organization(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.create_organization(body)

    def get_organization(self, request: web.Request) -> dict:
        return self.store.crm.organization(request.match_info["id"])

    def update_organization(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.update_organization(request.match_info["id"], body)

    def delete_organization(self, request: web.Request) -> None:
        self.store.crm.delete_organization(request.match_info["id"])

    def delete_organization_domains(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.delete_organization_domains(request.match_info["id"], body)

    def list_notes(self, request: web.Request) -> list[dict]:
        return self.store.crm.list_notes()

    def create_note(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.create_note(body)

    def get_note(self, request: web.Request) -> dict:
        return self.store.crm.note(request.match_info["id"])

    def update_note(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.update_note(request.match_info["id"], body)

    def delete_note(self, request: web.Request) -> None:
        self.store.crm.delete_note(request.match_info["id"])

    def list_custom_fields(self, request: web.Request) -> list[dict]:
        return self.store.crm.list_custom_fields()

    def create_custom_field(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.create_custom_field(body)

    def get_custom_field(self, request: web.Request) -> dict:
        return self.store.crm.custom_field(request.match_info["id"])

    def update_custom_field(self, request: web.Request, body: dict) -> dict:
        return self.store.crm.update_custom_field(request.match_info["id"], body)

    def delete_custom_field(self, request: web.Request) -> None:
        self.store.crm.delete_custom_field(request.match_info["id"])

    def list_lists(self, request: web.Request) -> list[dict]:
        return self.store.lists.list_lists()

    def create_list(self, request: web.Request, body: dict) -> dict:
        return self.store.lists.create_list(body)

    def get_list(self, request: web.Request) -> dict:
        return self.store.lists.state(request.match_info["id"]).public

    def update_list(self, request: web.Request, body: dict) -> dict:
        return self.store.lists.update_list(request.match_info["id"], body)

    def delete_list(self, request: web.Request) -> None:
        self.store.lists.delete_list(request.match_info["id"])

    def list_entries(self, request: web.Request) -> list[dict]:
        return self.store.lists.list_entries(request.match_info["list_id"])

    def create_entry(self, request: web.Request, body: dict) -> dict:
        return self.store.lists.create_entry(request.match_info["list_id"], body)

    def get_entry(self, request: web.Request) -> dict:
        return self.store.lists.entry(request.match_info["list_id"], request.match_info["id"])

    def update_entry(self, request: web.Request, body: dict) -> dict:
        return self.store.lists.update_entry(request.match_info["list_id"], request.match_info["id"], body)

    def delete_entry(self, request: web.Request) -> None:
        self.store.lists.delete_entry(request.match_info["list_id"], request.match_info["id"])

    def list_calendar_events(self, request: web.Request) -> tuple[list, Callable[[Any], dict]]:
        calendar = self.store.calendar
        events = calendar.list_events(
            updated_after=unix_param(request, "updated_after"),
            starts_after=unix_param(request, "starts_after"),
            starts_before=unix_param(request, "starts_before"),
            contact_id=request.query.get("contact_id"),
            organization_id=request.query.get("organization_id"),
        )
        return events, calendar.public_event

    def get_calendar_event(self, request: web.Request) -> dict:
        return self.store.calendar.event(request.match_info["id"])

    def get_recording(self, request: web.Request) -> bytes:
        return self.store.calendar.recording_body(request.match_info["id"])


def bind(endpoint: Endpoint, api: Api) -> Handler:
    operation = getattr(api, endpoint.operation)

    async def handle(request: web.Request) -> web.StreamResponse:
        if endpoint.request is not None:
            result = operation(request, await json_body(request))
        else:
            result = operation(request)
        if endpoint.envelope == "none":
            return web.Response(status=204)
        if endpoint.envelope == "list":
            items, render = result if isinstance(result, tuple) else (result, None)
            return json_response(paginate(request, items, render))
        if isinstance(result, bytes):
            return web.Response(body=result, status=endpoint.status, content_type="application/json")
        return json_response(result if endpoint.envelope == "bare" else {"data": result}, endpoint.status)

    handle.__name__ = endpoint.operation
    return handle


class Admin:
    """Test-only controls; same key, never faulted."""

    def __init__(self, store: Store, faults: FaultInjector, stats: Stats) -> None:
        self.store = store
        self.faults = faults
        self.stats = stats

    async def get_faults(self, request: web.Request) -> web.Response:
        return json_response(self.faults.settings.as_dict())

    async def patch_faults(self, request: web.Request) -> web.Response:
        return json_response(self.faults.update(await json_body(request)).as_dict())

    def _clock(self) -> dict[str, Any]:
        clock = self.store.clock
        return {"now": iso_utc(clock.now()), "follows_wall_time": clock.follows_wall_time}

    async def get_clock(self, request: web.Request) -> web.Response:
        return json_response(self._clock())

    async def post_clock(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        v.reject_unknown(body, ("advance_seconds", "now", "follows_wall_time"), "the clock")
        clock = self.store.clock
        if "follows_wall_time" in body:
            clock.follows_wall_time = v.require_bool(body, "follows_wall_time")
            clock.set(clock.now())
        if "now" in body:
            try:
                clock.set(parse_instant(v.require_string(body, "now")))
            except ValueError as exc:
                raise ApiError(422, f"now: {exc}", "now") from None
        if "advance_seconds" in body:
            seconds = body["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
                raise ApiError(422, "advance_seconds: must be a number of seconds", "advance_seconds")
            clock.advance(seconds)
        return json_response(self._clock())

    async def snapshot(self, request: web.Request) -> web.Response:
        return json_response(self.store.snapshot())

    async def get_stats(self, request: web.Request) -> web.Response:
        return json_response(self.stats.as_dict())

    async def reset_stats(self, request: web.Request) -> web.Response:
        self.stats.reset()
        return json_response(self.stats.as_dict())

    async def insert_event(self, request: web.Request) -> web.Response:
        return json_response(self.store.calendar.insert_event(await json_body(request)), 201)

    async def edit_event(self, request: web.Request) -> web.Response:
        return json_response(self.store.calendar.edit_event(request.match_info["id"], await json_body(request)))

    async def finish_recording(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        v.reject_unknown(body, ("bump_event_updated_at",), "finishing a recording")
        bump = body.get("bump_event_updated_at", True)
        if not isinstance(bump, bool):
            raise ApiError(422, "bump_event_updated_at: must be true or false", "bump_event_updated_at")
        return json_response(self.store.calendar.finish_recording(request.match_info["id"], bump))

    async def reset(self, request: web.Request) -> web.Response:
        """Seeded workspace, starting clock, start-up fault settings and zeroed stats: a just-started server."""
        self.store.reset()
        self.faults.reset()
        self.stats.reset()
        return web.Response(status=204)

    async def delete_recording(self, request: web.Request) -> web.Response:
        self.store.calendar.delete_recording(request.match_info["id"])
        return web.Response(status=204)


ADMIN_ROUTES = (
    ("GET", "/faults", "get_faults"), ("PATCH", "/faults", "patch_faults"),
    ("GET", "/clock", "get_clock"), ("POST", "/clock", "post_clock"),
    ("GET", "/snapshot", "snapshot"),
    ("GET", "/stats", "get_stats"), ("POST", "/stats/reset", "reset_stats"),
    ("POST", "/events", "insert_event"), ("POST", "/events/{id}/edit", "edit_event"),
    ("POST", "/recordings/{id}/finish", "finish_recording"), ("POST", "/recordings/{id}/delete", "delete_recording"),
    ("POST", "/reset", "reset"),
)


def create_app(store: Store, faults: FaultInjector, api_key: str) -> web.Application:
    if not api_key:
        raise ValueError("the emulator needs a non-empty API key")
    app = web.Application(middlewares=[stats_middleware, error_middleware, auth_middleware, fault_middleware],
                          client_max_size=8 * 1024 * 1024)
    stats = Stats()
    app[STORE] = store
    app[FAULTS] = faults
    app[STATS] = stats
    app[API_KEY] = api_key
    api = Api(store)
    for endpoint in ENDPOINTS:
        app.router.add_route(endpoint.method, API_PREFIX + endpoint.path, bind(endpoint, api))
    admin = Admin(store, faults, stats)
    for method, path, name in ADMIN_ROUTES:
        app.router.add_route(method, ADMIN_PREFIX + path, getattr(admin, name))
    document = orjson.dumps(build_document())

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json")

    app.router.add_get("/openapi.json", openapi)
    return app
