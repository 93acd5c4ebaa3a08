"""Hand-built API payloads shaped exactly like the spec's examples, for the flattener tests."""

from __future__ import annotations

import copy

import orjson

SPEC_EVENT = {
    "id": "DoASO0",
    "title": "Sample Meeting",
    "start_at": "2026-05-16T11:00:00.000+09:00",
    "end_at": "2026-05-16T12:00:00.000+09:00",
    "conference_link": "https://us02web.zoom.us/j/0000000000",
    "conference_type": "Zoom",
    "attendees": [{"email": "alice@example.com"}, {"email": "bob@example.com"}],
    "recordings": [
        {
            "id": "K3xQzR",
            "status": "done",
            "started_at": "2026-05-16T02:00:00.000Z",
            "ended_at": "2026-05-16T03:00:00.000Z",
            "audio_duration": None,
        }
    ],
    "created_at": "2026-05-10T00:00:00.000Z",
    "updated_at": "2026-05-16T03:00:00.000Z",
}

SPEC_RECORDING = {
    "id": "K3xQzR",
    "calendar_event_id": "DoASO0",
    "status": "done",
    "started_at": "2026-05-16T02:00:00.000Z",
    "ended_at": "2026-05-16T03:00:00.000Z",
    "audio_duration": None,
    "summary": {
        "summary": "A short summary of the entire meeting.",
        "topics": [
            {"title": "Topic title 1", "content": "Details about this topic."},
            {"title": "Topic title 2", "content": "Details about this topic."},
        ],
        "action_items": ["Owner A: follow-up task 1", "Owner B: follow-up task 2"],
        "detected_language": "en",
    },
    "transcript": [
        {
            "participant": {"name": "Alice"},
            "words": [
                {
                    "text": "Hello, let's start today's meeting.",
                    "start_timestamp": {"relative": 0.0},
                    "end_timestamp": {"relative": 3.2},
                }
            ],
            "language_code": "en",
        }
    ],
    "created_at": "2026-05-16T02:00:00.000Z",
    "updated_at": "2026-05-16T03:05:00.000Z",
}


def event(**changes) -> dict:
    return {**copy.deepcopy(SPEC_EVENT), **changes}


def recording(**changes) -> dict:
    return {**copy.deepcopy(SPEC_RECORDING), **changes}


def body(detail: dict) -> bytes:
    return orjson.dumps({"data": detail})
