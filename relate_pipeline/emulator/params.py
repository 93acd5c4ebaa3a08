"""Reading requests: query parameters, offset pagination and JSON bodies, each failure naming its input."""

from __future__ import annotations

import math
from typing import Any, Callable

import orjson
from aiohttp import web

from .errors import bad_request
from .middleware import FAULTS

DEFAULT_PAGE_SIZE = 25


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
