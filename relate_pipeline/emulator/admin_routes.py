"""Test-only `/_admin` routes: faults, clock, ground-truth snapshot, stats, and workspace changes
(insert, edit, reschedule and delete events, now or after the Nth request to an endpoint; finish,
regenerate and delete recordings)."""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

from . import validation as v
from .errors import ApiError
from .faults import FaultInjector
from .middleware import Stats, json_response
from .queued_changes import ChangeQueue
from .params import json_body
from .store import Store
from .timefmt import iso_utc, parse_instant


class Admin:
    """Test-only controls; same key, never faulted."""

    def __init__(self, store: Store, faults: FaultInjector, stats: Stats, queued: ChangeQueue) -> None:
        self.store = store
        self.faults = faults
        self.stats = stats
        self.queued = queued

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
        self.queued.reset()
        return web.Response(status=204)

    async def reschedule_event(self, request: web.Request) -> web.Response:
        return json_response(self.store.calendar.reschedule_event(request.match_info["id"], await json_body(request)))

    async def delete_event(self, request: web.Request) -> web.Response:
        self.store.calendar.delete_event(request.match_info["id"])
        return web.Response(status=204)

    async def regenerate_summary(self, request: web.Request) -> web.Response:
        return json_response(self.store.calendar.regenerate_summary(request.match_info["id"]))

    async def queue_changes(self, request: web.Request) -> web.Response:
        self.queued.queue(await json_body(request))
        return json_response({"pending": self.queued.pending}, 201)

    async def get_queued_changes(self, request: web.Request) -> web.Response:
        return json_response({"pending": self.queued.pending})

    async def delete_recording(self, request: web.Request) -> web.Response:
        self.store.calendar.delete_recording(request.match_info["id"])
        return web.Response(status=204)


ADMIN_ROUTES = (
    ("GET", "/faults", "get_faults"), ("PATCH", "/faults", "patch_faults"),
    ("GET", "/clock", "get_clock"), ("POST", "/clock", "post_clock"),
    ("GET", "/snapshot", "snapshot"),
    ("GET", "/stats", "get_stats"), ("POST", "/stats/reset", "reset_stats"),
    ("POST", "/events", "insert_event"), ("POST", "/events/{id}/edit", "edit_event"),
    ("POST", "/events/{id}/reschedule", "reschedule_event"), ("POST", "/events/{id}/delete", "delete_event"),
    ("POST", "/recordings/{id}/finish", "finish_recording"), ("POST", "/recordings/{id}/delete", "delete_recording"),
    ("POST", "/recordings/{id}/regenerate", "regenerate_summary"),
    ("POST", "/queued_changes", "queue_changes"), ("GET", "/queued_changes", "get_queued_changes"),
    ("POST", "/reset", "reset"),
)
