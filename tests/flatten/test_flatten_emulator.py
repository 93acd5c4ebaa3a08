"""Flattening real responses of the Relate API emulator, fetched over HTTP."""

from __future__ import annotations

import httpx
import orjson
import pytest

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.meetings.recordings import flatten_recording_bodies
from relate_pipeline.tables import TABLES


def fetch_all(client: httpx.Client, path: str) -> list[dict]:
    items, cursor = [], None
    while True:
        response = client.get(path, params={"first": 100, **({"after": cursor} if cursor is not None else {})})
        response.raise_for_status()
        page = response.json()
        items += page["data"]
        if not page["pagination"]["has_next_page"]:
            return items
        cursor = page["pagination"]["end_cursor"]


@pytest.fixture(scope="module")
def api(emulator):
    with httpx.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=30) as client:
        yield client


def test_emulator_meetings_flatten_completely_with_unique_keys(api):
    events = fetch_all(api, "/calendar_events")
    done = [r["id"] for e in events for r in e["recordings"] if r["status"] == "done"]
    bodies = [api.get(f"/recordings/{recording_id}").content for recording_id in done]
    tables = {**flatten_events(events), **flatten_recording_bodies(bodies)}

    words = [
        (detail["id"], word["text"])
        for detail in (orjson.loads(body)["data"] for body in bodies)
        for segment in detail["transcript"] or []
        for word in segment["words"]
    ]
    utterances = tables["transcript_utterances"]
    assert list(zip(utterances.column("recording_id").to_pylist(), utterances.column("text").to_pylist())) == words
    assert sorted(tables["recordings"].column("recording_id").to_pylist()) == sorted(set(done))
    assert tables["calendar_events"].num_rows == len(events) > 0
    for name, table in tables.items():
        key = list(TABLES[name].key)
        assert table.select(key).group_by(key).aggregate([]).num_rows == table.num_rows, name


def test_emulator_crm_resources_flatten_with_unique_keys(api):
    resources = {name: fetch_all(api, f"/{name}") for name in ("contacts", "organizations", "notes", "custom_fields", "lists")}
    resources["list_entries"] = [entry for lst in resources["lists"] for entry in fetch_all(api, f"/lists/{lst['id']}/entries")]
    for resource, items in resources.items():
        for name, table in flatten_crm(resource, items).items():
            key = list(TABLES[name].key)
            assert table.select(key).group_by(key).aggregate([]).num_rows == table.num_rows, name
    assert flatten_crm("contacts", resources["contacts"])["contacts"].num_rows == len(resources["contacts"]) > 0
