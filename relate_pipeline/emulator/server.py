"""The aiohttp application: the public routes bound to the store, the admin routes, and `/openapi.json`."""

from __future__ import annotations

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
