"""A small hand-built workspace covering every attendee-matching rule, written to a real lake."""

from __future__ import annotations

import orjson

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.meetings.day_metrics import AttendeeTokens, day_metric_tables
from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.meetings.recordings import flatten_recording_bodies
from relate_pipeline.lake import Lake

INTERNAL_DOMAINS = ["Relate.so"]


def event(event_id, start, attendees, recordings):
    """A listed calendar event; ``recordings`` are (id, status) pairs."""
    return {
        "id": event_id,
        "title": f"Meeting {event_id}",
        "start_at": start,
        "end_at": start.replace("T10:", "T11:"),
        "conference_type": "Zoom",
        "attendees": [{"email": e} for e in attendees],
        "recordings": [{"id": r, "status": s, "started_at": start} for r, s in recordings],
        "updated_at": start,
    }


def _recording(recording_id, event_id, action_items, words):
    return orjson.dumps(
        {
            "data": {
                "id": recording_id,
                "calendar_event_id": event_id,
                "status": "done",
                "started_at": "2026-05-16T01:00:00.000Z",
                "summary": {"summary": f"summary of {recording_id}", "topics": [], "action_items": action_items, "detected_language": "en"},
                "transcript": [{"participant": {"name": "Alice"}, "words": [{"text": w} for w in words], "language_code": "en"}],
            }
        }
    )


DAYS = {
    "2026-05-16": {
        "events": [
            event(
                "E1",
                "2026-05-16T10:00:00.000+09:00",
                ["Alice@ACME.com", "me@relate.so", "carol@beta.io", "shared@gamma.com", "nobody@unknown.org"],
                [("R1", "done"), ("R2", "processing")],
            )
        ],
        "recordings": [_recording("R1", "E1", ["Alice: send the quote", "Check the contract"], ["hello", "안녕하세요"])],
    },
    "2026-05-17": {
        "events": [
            event("E2", "2026-05-17T10:00:00.000+09:00", ["x@tie.com"], [("R3", "done")]),
            event("E3", "2026-05-17T10:00:00.000+00:00", ["carol@beta.io", "me@relate.so"], [("R4", "done"), ("R5", "done")]),
        ],
        "recordings": [_recording("R4", "E3", ["Carol: share the deck"], ["first"]), _recording("R5", "E3", [], ["second"])],
    },
}

CONTACTS = [
    {"id": "c2", "first_name": "Alice", "last_name": "Kim", "emails": ["alice@acme.com"], "organization_id": "o-acme"},
    {"id": "c5", "first_name": "Later", "emails": ["shared@gamma.com"], "organization_id": "o-beta"},
    {"id": "c4", "first_name": "Earlier", "emails": ["Shared@Gamma.com"], "organization_id": "o-gamma"},
    {"id": "c9", "first_name": "Me", "emails": ["me@relate.so"], "organization_id": "o-relate"},
]
ORGANIZATIONS = [
    {"id": "o-acme", "name": "Acme", "domains": ["acme.com"]},
    {"id": "o-beta", "name": "Beta", "domains": ["beta.io"]},
    {"id": "o-gamma", "name": "Gamma", "domains": ["gamma.com"]},
    {"id": "o-tie-b", "name": "Tie B", "domains": ["tie.com"]},
    {"id": "o-tie-a", "name": "Tie A", "domains": ["TIE.com"]},
    {"id": "o-relate", "name": "Relate", "domains": ["relate.so"]},
]


def write_lake(root: str, day_tables: dict[str, dict], contacts: list[dict], organizations: list[dict]) -> Lake:
    """A real lake: each day's flattened tables and their metrics as its partitions, the CRM items as snapshots."""
    lake = Lake(root)
    for day, flattened in day_tables.items():
        tables = {**flattened, **day_metric_tables(flattened, AttendeeTokens(flattened["event_attendees"]))}
        for name, table in tables.items():
            lake.write_partition(name, day, table)
    for resource, items in (("contacts", contacts), ("organizations", organizations)):
        for name, table in flatten_crm(resource, items).items():
            lake.write_snapshot(name, table)
    return lake


def write_sample_lake(root: str) -> Lake:
    days = {
        day: {**flatten_events(content["events"]), **flatten_recording_bodies(content["recordings"])}
        for day, content in DAYS.items()
    }
    return write_lake(root, days, CONTACTS, ORGANIZATIONS)
