"""What the lake must hold, computed straight from the emulator's ground truth.

Deliberately independent of the flatteners: plain loops over the snapshot, so a mistake in
the pipeline cannot be mirrored here.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

SUMMARY_KEYS = {"summary", "topics", "action_items", "detected_language"}


def exposed_events(snapshot: dict, first: date, last: date, tz: str) -> list[dict]:
    zone = ZoneInfo(tz)
    return [
        event
        for event in snapshot["calendar_events"]
        if event["exposed"] and first <= datetime.fromisoformat(event["start_at"]).astimezone(zone).date() <= last
    ]


def done_recordings(snapshot: dict, events: list[dict]) -> list[dict]:
    ids = [r["id"] for e in events for r in e["recordings"] if r["status"] == "done"]
    return [snapshot["recordings"][i] for i in ids]


def expected(snapshot: dict, first: date, last: date, tz: str) -> dict[str, object]:
    events = exposed_events(snapshot, first, last, tz)
    recordings = done_recordings(snapshot, events)
    words = [
        w["text"]
        for r in recordings
        for segment in r["transcript"] or []
        for w in segment.get("words") or []
    ]
    return {
        "event_ids": sorted(e["id"] for e in events),
        "attendee_count": sum(len(e["attendees"]) for e in events),
        "listed_recordings": sum(len(e["recordings"]) for e in events),
        "recording_ids": sorted(r["id"] for r in recordings),
        "summaries": {r["id"]: r["summary"]["summary"] for r in recordings},
        "topic_count": sum(len(r["summary"].get("topics") or []) for r in recordings),
        "action_items": Counter(a for r in recordings for a in r["summary"].get("action_items") or []),
        "utterances": Counter(words),
        "summary_fields": sorted(
            (r["id"], key) for r in recordings for key in r["summary"] if key not in SUMMARY_KEYS
        ),
    }
