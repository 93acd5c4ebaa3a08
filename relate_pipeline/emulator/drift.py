"""Schema drift: the shapes a live API slides into over time, served for a seeded subset of objects.

The spec documents one shape per resource, but a real workspace changes under its clients: fields are
added, optional fields go missing, a list comes back null, the summary keys follow each workspace's
settings, a transcript is empty, and text holds every script, emoji, quote and line break people type.
A workspace built with `drift_fraction > 0` marks that fraction of its calendar events and of its
recordings with one named variant each (round-robin over a seeded shuffle, so each variant is used once
enough objects drift). The variant is applied whenever the object is rendered, so the listing, the
detail and the `/_admin/snapshot` ground truth always show the same drifted shape.

Every variant is a pure function of the documented shape; nothing here invents an id or a timestamp,
because drift is about shape and text, not about which objects exist.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

Variant = Callable[[dict[str, Any]], dict[str, Any]]

UNUSUAL_TEXT = 'Line one with "quotes" and a \\backslash\\\n둘째 줄 — 이모지 🎉🙌\tand a tab'


def _event_unknown_fields(event: dict[str, Any]) -> dict[str, Any]:
    event["location"] = "회의실 3 ☕"
    event["x_calendar_sync"] = {"provider": "google", "etag": '"3"', "attempts": [1, 2]}
    for brief in event["recordings"]:
        brief["bot_name"] = "Relate Notetaker"
    return event


def _event_missing_optional_fields(event: dict[str, Any]) -> dict[str, Any]:
    for name in ("conference_link", "conference_type", "created_at"):
        event.pop(name, None)
    return event


def _event_null_attendees(event: dict[str, Any]) -> dict[str, Any]:
    event["attendees"] = None
    return event


def _event_unusual_text(event: dict[str, Any]) -> dict[str, Any]:
    event["title"] = f'"{event["title"]}" — {UNUSUAL_TEXT}'
    return event


EVENT_DRIFTS: dict[str, Variant] = {
    "unknown_fields": _event_unknown_fields,
    "missing_optional_fields": _event_missing_optional_fields,
    "null_attendees": _event_null_attendees,
    "unusual_text": _event_unusual_text,
}


def _recording_unknown_fields(detail: dict[str, Any]) -> dict[str, Any]:
    detail["x_processing"] = {"engine": "v2", "warnings": [], "quality": 0.93}
    detail["speaker_count"] = len(detail["transcript"] or [])
    for segment in detail["transcript"] or []:
        segment["confidence"] = 0.91
        for word in segment["words"]:
            word["confidence"] = 0.87
    return detail


def _recording_missing_optional_fields(detail: dict[str, Any]) -> dict[str, Any]:
    for name in ("audio_duration", "ended_at", "created_at"):
        detail.pop(name, None)
    if detail["summary"] is not None:
        detail["summary"].pop("detected_language", None)
    return detail


def _recording_null_lists(detail: dict[str, Any]) -> dict[str, Any]:
    if detail["summary"] is not None:
        detail["summary"]["topics"] = None
        detail["summary"]["action_items"] = None
    if detail["transcript"]:
        detail["transcript"][0]["words"] = None
    return detail


def _recording_summary_keys_changed(detail: dict[str, Any]) -> dict[str, Any]:
    """The workspace's summary settings changed: documented keys gone, its own keys added."""
    summary = detail["summary"]
    if summary is not None:
        summary.pop("summary", None)
        summary.pop("topics", None)
        summary["risks"] = ["Budget freeze in Q4", "보안 검토 지연"]
        summary["customer_quote"] = f'"We need this yesterday" — {UNUSUAL_TEXT}'
        summary["scores"] = {"fit": 0.8, "urgency": 3, "notes": None}
    return detail


def _recording_empty_transcript(detail: dict[str, Any]) -> dict[str, Any]:
    if detail["transcript"] is not None:
        detail["transcript"] = []
    return detail


def _recording_unusual_text(detail: dict[str, Any]) -> dict[str, Any]:
    summary = detail["summary"]
    if summary is not None:
        summary["summary"] = UNUSUAL_TEXT
        if summary.get("topics"):
            summary["topics"][0]["title"] = '가격 "pricing" 💸\nsecond line'
        if summary.get("action_items"):
            summary["action_items"][0] = 'Kim: "send" the 견적서 ✅\nby Friday'
    if detail["transcript"] and detail["transcript"][0]["words"]:
        detail["transcript"][0]["words"][0]["text"] = '"인용" 그리고\nnewline 👍 \\ done'
    return detail


RECORDING_DRIFTS: dict[str, Variant] = {
    "unknown_fields": _recording_unknown_fields,
    "missing_optional_fields": _recording_missing_optional_fields,
    "null_lists": _recording_null_lists,
    "summary_keys_changed": _recording_summary_keys_changed,
    "empty_transcript": _recording_empty_transcript,
    "unusual_text": _recording_unusual_text,
}


def drift_event(public: dict[str, Any], variant: str) -> dict[str, Any]:
    """The event's public shape as drifted by `variant`; the input is left untouched."""
    return EVENT_DRIFTS[variant](copy.deepcopy(public))


def drift_recording(detail: dict[str, Any], variant: str) -> dict[str, Any]:
    """A recording detail (summary and transcript as plain JSON) as drifted by `variant`; the input is left untouched."""
    return RECORDING_DRIFTS[variant](copy.deepcopy(detail))
