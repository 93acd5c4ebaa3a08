"""Workspace changes queued to land right after the Nth request to an endpoint.

A test can then change the workspace at an exact point of a client's walk (between two pages of
a listing, say) without a thread polling the stats and racing the client: the change is applied
on the server, after that request's response is built and before any later request is handled.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from . import validation as v
from .errors import invalid
from .store import Store

OPERATIONS = ("insert_event", "edit_event", "reschedule_event", "delete_event")


@dataclass
class QueuedChange:
    endpoint: str
    after_requests: int
    operations: list[dict[str, Any]]


def _checked_operation(operation: Any, position: int) -> dict[str, Any]:
    where = f"operations[{position}]"
    if not isinstance(operation, dict):
        raise invalid(where, "must be an object")
    v.reject_unknown(operation, ("operation", "id", "body"), where)
    name = operation.get("operation")
    if name not in OPERATIONS:
        raise invalid(where, f"operation must be one of {', '.join(OPERATIONS)}")
    if name != "insert_event" and not isinstance(operation.get("id"), str):
        raise invalid(where, f"{name} needs the event's id")
    if not isinstance(operation.get("body", {}), dict):
        raise invalid(where, "body must be an object")
    return operation


class ChangeQueue:
    """Changes waiting for their endpoint's request count, counted from when each was queued."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reset()

    def reset(self) -> None:
        self._pending: list[tuple[QueuedChange, int]] = []
        self._seen: Counter[str] = Counter()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def queue(self, body: dict[str, Any]) -> QueuedChange:
        v.reject_unknown(body, ("endpoint", "after_requests", "operations"), "a queued change")
        endpoint = v.require_string(body, "endpoint")
        after = body.get("after_requests")
        if isinstance(after, bool) or not isinstance(after, int) or after < 1:
            raise invalid("after_requests", "must be a positive whole number of requests")
        operations = body.get("operations")
        if not isinstance(operations, list) or not operations:
            raise invalid("operations", "must be a non-empty array")
        change = QueuedChange(endpoint, after, [_checked_operation(op, n) for n, op in enumerate(operations)])
        self._pending.append((change, self._seen[endpoint] + after))
        return change

    def seen(self, endpoint: str) -> None:
        """One more request to ``endpoint`` was handled: apply every change whose count is reached."""
        self._seen[endpoint] += 1
        due = [change for change, at in self._pending if change.endpoint == endpoint and at <= self._seen[endpoint]]
        self._pending = [(change, at) for change, at in self._pending if change not in due]
        for change in due:
            for operation in change.operations:
                self._apply(operation)

    def _apply(self, operation: dict[str, Any]) -> None:
        calendar = self.store.calendar
        name, body = operation["operation"], operation.get("body", {})
        if name == "insert_event":
            calendar.insert_event(body)
        elif name == "delete_event":
            calendar.delete_event(operation["id"])
        else:
            getattr(calendar, name)(operation["id"], body)
