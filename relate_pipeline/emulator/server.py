"""The aiohttp application: the public routes bound to the store, the admin routes, and `/openapi.json`."""

from __future__ import annotations

import re
from typing import Any, Callable

import orjson
from aiohttp import web

from . import validation as v
from .admin_routes import ADMIN_ROUTES, Admin
from .endpoints import ENDPOINTS, Endpoint
from .errors import bad_request
from .faults import FaultInjector
from .queued_changes import ChangeQueue
from .middleware import (ADMIN_PREFIX, API_KEY, API_PREFIX, FAULTS, QUEUED_CHANGES, STATS, Handler, Stats, auth_middleware, error_middleware,
                         fault_middleware, json_response, stats_middleware)
from .openapi import build_document
from .params import json_body, paginate, unix_param
from .store import Store


# Operations that only hand the path's ids (in path order) and the JSON body, if there is one, to a
# method of the store's crm, lists or calendar; the others are methods of `Api`.
STORE_METHODS: dict[str, str] = {
    "create_contact": "crm.create_contact",
    "get_contact": "crm.contact",
    "update_contact": "crm.update_contact",
    "delete_contact": "crm.delete_contact",
    "delete_contact_emails": "crm.delete_contact_emails",
    "list_organizations": "crm.list_organizations",
    "create_organization": "crm.create_organization",
    "get_organization": "crm.organization",
    "update_organization": "crm.update_organization",
    "delete_organization": "crm.delete_organization",
    "delete_organization_domains": "crm.delete_organization_domains",
    "list_notes": "crm.list_notes",
    "create_note": "crm.create_note",
    "get_note": "crm.note",
    "update_note": "crm.update_note",
    "delete_note": "crm.delete_note",
    "list_custom_fields": "crm.list_custom_fields",
    "create_custom_field": "crm.create_custom_field",
    "get_custom_field": "crm.custom_field",
    "update_custom_field": "crm.update_custom_field",
    "delete_custom_field": "crm.delete_custom_field",
    "list_lists": "lists.list_lists",
    "create_list": "lists.create_list",
    "update_list": "lists.update_list",
    "delete_list": "lists.delete_list",
    "list_entries": "lists.list_entries",
    "create_entry": "lists.create_entry",
    "get_entry": "lists.entry",
    "update_entry": "lists.update_entry",
    "delete_entry": "lists.delete_entry",
    "get_calendar_event": "calendar.event",
    "get_recording": "calendar.recording_body",
}


class Api:
    """The public operations, named as in `endpoints.ENDPOINTS`: those that do more than
    `STORE_METHODS` describes are methods here."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def operation(self, endpoint: Endpoint) -> Callable[..., Any]:
        """What answers ``endpoint``: called with the request, and the JSON body if it takes one."""
        if endpoint.operation not in STORE_METHODS:
            return getattr(self, endpoint.operation)
        part, method = STORE_METHODS[endpoint.operation].split(".")
        ids = re.findall(r"\{(\w+)\}", endpoint.path)

        def call_store(request: web.Request, *body: dict) -> Any:
            # Looked up per request: resetting the store replaces its parts.
            target = getattr(getattr(self.store, part), method)
            return target(*(request.match_info[name] for name in ids), *body)

        return call_store

    def list_contacts(self, request: web.Request) -> list[dict]:
        phone = request.query.get("phone_number")
        if phone is not None and v.normalize_phone(phone) is None:
            raise bad_request("phone_number", f"query parameter phone_number is not a phone number (got {phone!r})")
        return self.store.crm.list_contacts(request.query.get("email"), phone)

    def get_list(self, request: web.Request) -> dict:
        return self.store.lists.state(request.match_info["id"]).public

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


def bind(endpoint: Endpoint, api: Api) -> Handler:
    operation = api.operation(endpoint)

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


def create_app(store: Store, faults: FaultInjector, api_key: str) -> web.Application:
    if not api_key:
        raise ValueError("the emulator needs a non-empty API key")
    app = web.Application(middlewares=[stats_middleware, error_middleware, auth_middleware, fault_middleware],
                          client_max_size=8 * 1024 * 1024)
    stats = Stats()
    app[FAULTS] = faults
    app[STATS] = stats
    app[API_KEY] = api_key
    queued = app[QUEUED_CHANGES] = ChangeQueue(store)
    api = Api(store)
    for endpoint in ENDPOINTS:
        app.router.add_route(endpoint.method, API_PREFIX + endpoint.path, bind(endpoint, api))
    admin = Admin(store, faults, stats, queued)
    for method, path, name in ADMIN_ROUTES:
        app.router.add_route(method, ADMIN_PREFIX + path, getattr(admin, name))
    document = orjson.dumps(build_document())

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json")

    app.router.add_get("/openapi.json", openapi)
    return app
