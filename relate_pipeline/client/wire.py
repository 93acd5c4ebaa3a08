"""What every transport puts on the wire and hands back, defined once.

The sync client speaks httpx, the async one aiohttp; the request value, the reply value, the
default headers and the body and query encodings live here so the two cannot drift apart: the
emulator sees the same bytes whichever transport sent them.
"""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from relate_pipeline.client.config import ClientSettings

USER_AGENT = "relate-pipeline/0.1"
JSON_CONTENT_TYPE = "application/json"
JSON_BODY_HEADERS = {"Content-Type": JSON_CONTENT_TYPE}


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One API call; `path` is relative to the base URL and already percent-encoded."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer, read in full: status, case-insensitive headers, decoded body bytes."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes


def default_headers(settings: ClientSettings) -> dict[str, str]:
    """Headers of every request; the only place the API key is put into one."""
    return {
        "Authorization": f"Bearer {settings.api_key}",
        "Accept": JSON_CONTENT_TYPE,
        "User-Agent": USER_AGENT,
    }


def encoded_query(params: Mapping[str, Any]) -> str:
    """The query string httpx would send for `params` (True -> "true", None -> "", lists repeat)."""
    return str(httpx.QueryParams(params))


def encoded_json(body: Any) -> bytes:
    """A request body as compact UTF-8 JSON; NaN and infinities are refused, not sent as null."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every pool in the process.

    httpx builds a context per client by default, and loading the CA bundle each time is slow
    enough to dominate short fetch batches ("Fetch" in docs/benchmarks.md).
    """
    return httpx.create_ssl_context()
