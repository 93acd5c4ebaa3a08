"""Decoding response bodies: JSON, the optional `data` envelope, and error bodies.

The API is inconsistent about envelopes (a recording comes as `{"data": {...}}`, a list or
process comes bare), so callers get objects unwrapped uniformly and never have to care.
"""

from __future__ import annotations

from typing import Any

import orjson

from relate_pipeline.client.errors import UnexpectedResponseError

_MAX_ECHOED_BODY = 200


def decode_json(body: bytes, request: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UnexpectedResponseError(
            f"{request} -> response body is not valid JSON ({exc.msg}): {_excerpt(body)!r}"
        ) from None


def unwrap_object(body: Any, request: str) -> dict[str, Any]:
    """Return the object, unwrapping `{"data": {...}}` when that is the whole body.

    Only a body whose sole key is `data` holding an object counts as an envelope, so an object
    that merely has a `data` field among others is returned untouched.
    """
    if isinstance(body, dict):
        if body.keys() == {"data"} and isinstance(body["data"], dict):
            return body["data"]
        return body
    raise UnexpectedResponseError(
        f"{request} -> expected a JSON object, got {type(body).__name__}"
    )


def error_details(body: bytes) -> tuple[str, str | None]:
    """Pull (message, field) out of an error body, whatever shape the server chose.

    The documented shape is `{"error": {"status", "message", "field"}}`; proxies and gateways in
    front of an API answer with plain text or other JSON, so those are summarised rather than
    rejected — the status code already says what went wrong.
    """
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict):
            message = error.get("message")
            field = error.get("field")
            return (
                str(message) if message else "(no message)",
                str(field) if field else None,
            )
        if isinstance(error, str):
            return error, None
        if isinstance(parsed.get("message"), str):
            return parsed["message"], None
    text = _excerpt(body)
    return (text or "(empty body)"), None


def _excerpt(body: bytes) -> str:
    text = body[:_MAX_ECHOED_BODY].decode("utf-8", errors="replace").strip()
    return text + ("…" if len(body) > _MAX_ECHOED_BODY else "")
