"""Plain HTTP helpers for the emulator's tests: httpx against the real server, never the project's client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from relate_pipeline.emulator import EmulatorProcess


def api_client(process: EmulatorProcess, api_key: str | None = None, timeout: float = 10.0) -> httpx.Client:
    key = process.api_key if api_key is None else api_key
    return httpx.Client(base_url=process.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout)


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()["error"]


def data_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def all_pages(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        body = client.get(path, params={**params, "first": 100, "after": after}).json()
        items.extend(body["data"])
        if not body["pagination"]["has_next_page"]:
            return items
        after = body["pagination"]["end_cursor"]


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def unix(text: str) -> float:
    return instant(text).timestamp()
