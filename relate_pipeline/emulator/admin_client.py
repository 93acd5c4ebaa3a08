"""A standard-library client for the emulator's `/_admin` routes, for tests, demos and benchmarks.

It uses urllib on purpose: it must work wherever the emulator runs, without the project's HTTP stack.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from typing import Any


class EmulatorAdminError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"emulator admin call failed with {status}: {message}")
        self.status = status


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"timestamp {value.isoformat()} needs a UTC offset")
        return value.isoformat()
    return value


def _jsonable_operation(operation: dict) -> dict:
    return {**operation, "body": {k: _jsonable(v) for k, v in (operation.get("body") or {}).items()}}


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class EmulatorAdmin:
    def __init__(self, base_url: str, api_key: str, timeout: float = 30.0) -> None:
        root = base_url.rstrip("/")
        self.root = root[: -len("/v1")] if root.endswith("/v1") else root
        self._api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"EmulatorAdmin(root={self.root!r})"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps({k: _jsonable(v) for k, v in body.items()}).encode()
        request = urllib.request.Request(self.root + "/_admin" + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._api_key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                message = json.loads(raw)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = raw.decode(errors="replace")[:200]
            raise EmulatorAdminError(exc.code, message) from None
        return json.loads(payload) if payload else None

    def faults(self) -> dict:
        return self._call("GET", "/faults")

    def set_faults(self, **changes: Any) -> dict:
        return self._call("PATCH", "/faults", changes)

    def clock(self) -> dt.datetime:
        return _instant(self._call("GET", "/clock")["now"])

    def advance_clock(self, seconds: float) -> dt.datetime:
        return _instant(self._call("POST", "/clock", {"advance_seconds": seconds})["now"])

    def set_clock(self, when: dt.datetime) -> dt.datetime:
        return _instant(self._call("POST", "/clock", {"now": when})["now"])

    def snapshot(self) -> dict:
        return self._call("GET", "/snapshot")

    def stats(self) -> dict:
        return self._call("GET", "/stats")

    def reset_stats(self) -> dict:
        return self._call("POST", "/stats/reset")

    def insert_event(self, start_at: dt.datetime, **fields: Any) -> dict:
        """A new event, starting at `start_at` (its offset becomes the event's), with one done recording.

        `id=` and `recording_id=` pick the two ids (any non-empty string, to serve hostile ids).
        """
        return self._call("POST", "/events", {"start_at": start_at, **fields})

    def edit_event(self, event_id: str, **fields: Any) -> dict:
        return self._call("POST", f"/events/{event_id}/edit", fields)

    def reschedule_event(self, event_id: str, start_at: dt.datetime, end_at: dt.datetime | None = None) -> dict:
        """Moves the meeting (its length kept unless `end_at` is given); the event's `updated_at` moves to now."""
        return self._call("POST", f"/events/{event_id}/reschedule", {"start_at": start_at, "end_at": end_at})

    def delete_event(self, event_id: str) -> None:
        """The event leaves every listing; it and its recordings answer 404."""
        self._call("POST", f"/events/{event_id}/delete")

    def regenerate_summary(self, recording_id: str) -> dict:
        """New summary content for a done recording; only the recording's `updated_at` moves, not its event's."""
        return self._call("POST", f"/recordings/{recording_id}/regenerate")

    def queue_changes(self, endpoint: str, after_requests: int, *operations: dict) -> int:
        """Changes applied by the server right after the `after_requests`-th request (from now) to `endpoint`.

        `endpoint` is named as the stats name it, e.g. "GET /v1/calendar_events"; each operation is
        {"operation": "insert_event" | "edit_event" | "reschedule_event" | "delete_event", "id": ..., "body": {...}}.
        Returns how many queued changes are pending.
        """
        body = {"endpoint": endpoint, "after_requests": after_requests, "operations": [_jsonable_operation(op) for op in operations]}
        return self._call("POST", "/queued_changes", body)["pending"]

    def pending_changes(self) -> int:
        return self._call("GET", "/queued_changes")["pending"]

    def finish_recording(self, recording_id: str, bump_event_updated_at: bool = True) -> dict:
        return self._call("POST", f"/recordings/{recording_id}/finish", {"bump_event_updated_at": bump_event_updated_at})

    def delete_recording(self, recording_id: str) -> None:
        self._call("POST", f"/recordings/{recording_id}/delete")

    def reset(self) -> None:
        """Returns the server to its just-started state: seeded workspace, clock, fault settings, stats."""
        self._call("POST", "/reset")
