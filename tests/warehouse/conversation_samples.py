"""Hand-written meetings whose conversation metrics and speaker matches are computed by hand.

E1 (2026-05-16) has two recordings. R1 is the metrics transcript; its expected values are
worked out below, segment by segment. R2 has one one-second entry per speaker and exercises
every resolution rule against E1's attendees. E2 (2026-05-17) has two Alices whose e-mails both
contain "alice", a recording R3 with one line, R4 without a transcript and R5, listed as done but
deleted before its detail was fetched (HTTP 404).

E1's attendees (internal domain relate.so):
    alice.kim@acme.com   contact c1 Alice Kim, o-acme
    apark@acme.com       contact c2 Alice Park, o-acme
    bob@relate.so        contact c4 Bob Stone, o-relate (internal)
    dana.lee@beta.io     no contact; o-beta by domain
    minsu@hanbit.kr      contact c3 민수 김 (first 민수, last 김), o-hanbit
    juergen@gross.de     contact c5 Jürgen Groß, o-gross
"""

from __future__ import annotations

import orjson

from datetime import datetime, timezone

from warehouse_samples import event, write_lake

from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.crm.history import HISTORIES, snapshot_changes
from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.meetings.tracker_days import apply_trackers
from relate_pipeline.meetings.trackers import parse_trackers
from relate_pipeline.meetings.raw_tables import RecordingFetch, flatten_raw_recordings, raw_recordings_table
from relate_pipeline.lake import Lake

INTERNAL_DOMAINS = ["relate.so"]
FETCHED_AT = datetime(2026, 5, 18, tzinfo=timezone.utc)


def _word(text, start, end):
    return {"text": text, "start_timestamp": {"relative": start}, "end_timestamp": {"relative": end}}


def _segment(name, words):
    return {"participant": {"name": name}, "words": words, "language_code": "en"}


def _recording(recording_id, event_id, transcript, action_items=(), **extra_summary):
    summary = {"summary": "s", "topics": [], "action_items": list(action_items), "detected_language": "en", **extra_summary}
    body = {"id": recording_id, "calendar_event_id": event_id, "status": "done", "audio_duration": 1800.0,
            "started_at": "2026-05-16T01:00:00.000Z", "summary": summary, "transcript": transcript}
    return RecordingFetch(recording_id, event_id, "done", None, FETCHED_AT, 200, orjson.dumps({"data": body}))


# R1, the metrics transcript. Segments 3 and 4 have no words and are ignored; the speakers are
# "alice kim" (0, 1, 5, 9), "bob stone" (2, 8) and the unnamed speaker (6: null, 7: empty).
R1_TRANSCRIPT = [
    _segment("Alice Kim", [_word("Hello there.", 0.0, 2.0), _word("How are you?", 2.5, 4.0)]),  # talk 3.5
    _segment("alice  kim", [_word("Good quote.", 4.5, 5.0)]),  # same speaker, same run; talk 0.5
    _segment("Bob Stone", [_word("Fine, thanks？", 4.8, 8.0), _word("Shall we start? ", 8.0, 9.0)]),  # talk 4.2
    _segment("Dana", []),
    _segment("Zed", None),
    _segment(
        "Alice Kim",
        [
            _word("Right", None, 11.0),  # unknown start: counted as an entry, adds no time
            _word("so", 12.0, 11.5),  # reversed: counted as an entry, adds no time
            _word("ok", 12.0, 13.0),  # talk 1.0
        ],
    ),
    {"participant": {"name": None}, "words": [_word("hmm?", 14.0, 15.0)], "language_code": "en"},  # talk 1.0
    _segment("", [_word("yes", 15.5, 16.0)]),  # the same unnamed speaker; talk 0.5
    _segment("Bob Stone", [{"text": "unknown"}]),  # no countable entry: no gap on either side
    _segment("Alice Kim", [_word("Bye", 20.0, 21.0)]),  # talk 1.0
]

R1_ACTION_ITEMS = [
    "Alice: send the quote",
    "Bob Stone: book the demo",
    "Check the contract",
    "민수： 견적서 보내기",
    "Zed: call back",
]

# R2: one speaker per segment, each saying one word for one second.
R2_SPEAKERS = ["Alice", "ALICE PARK", "Dana", "김민수", "민수", "  JÜRGEN   GROSS ", "Zed Unknown", "Bob"]
R2_TRANSCRIPT = [_segment(name, [_word("word", 2.0 * i, 2.0 * i + 1.0)]) for i, name in enumerate(R2_SPEAKERS)]

E1_ATTENDEES = ["alice.kim@acme.com", "APark@acme.com", "bob@relate.so", "dana.lee@beta.io", "minsu@hanbit.kr", "juergen@gross.de"]
E2_ATTENDEES = ["alice.kim@acme.com", "alice.park@acme.com", "bob@relate.so"]

DAYS = {
    "2026-05-16": {
        "events": [event("E1", "2026-05-16T10:00:00.000+09:00", E1_ATTENDEES, [("R1", "done"), ("R2", "done")])],
        "recordings": [
            _recording("R1", "E1", R1_TRANSCRIPT, R1_ACTION_ITEMS, sentiment={"score": 0.8}),
            _recording("R2", "E1", R2_TRANSCRIPT),
        ],
    },
    "2026-05-17": {
        "events": [event("E2", "2026-05-17T10:00:00.000+09:00", E2_ATTENDEES, [("R3", "done"), ("R4", "done"), ("R5", "done")])],
        "recordings": [
            _recording("R3", "E2", [_segment("Alice", [_word("Hi?", 0.0, 1.0)])], ["Alice: follow up"]),
            _recording("R4", "E2", None),
            RecordingFetch("R5", "E2", "done", None, FETCHED_AT, 404, None),  # deleted after listing
        ],
    },
}

CONTACTS = [
    {"id": "c1", "first_name": "Alice", "last_name": "Kim", "emails": ["alice.kim@acme.com"], "organization_id": "o-acme"},
    {"id": "c2", "first_name": "Alice", "last_name": "Park", "emails": ["apark@acme.com", "alice.park@acme.com"], "organization_id": "o-acme"},
    {"id": "c3", "first_name": "민수", "last_name": "김", "emails": ["minsu@hanbit.kr"], "organization_id": "o-hanbit"},
    {"id": "c4", "first_name": "Bob", "last_name": "Stone", "emails": ["bob@relate.so"], "organization_id": "o-relate"},
    {"id": "c5", "first_name": "Jürgen", "last_name": "Groß", "emails": ["juergen@gross.de"], "organization_id": "o-gross"},
]
ORGANIZATIONS = [
    {"id": "o-acme", "name": "Acme", "domains": ["acme.com"]},
    {"id": "o-beta", "name": "Beta", "domains": ["beta.io"]},
    {"id": "o-hanbit", "name": "한빛", "domains": ["hanbit.kr"]},
    {"id": "o-gross", "name": "Gross", "domains": ["gross.de"]},
    {"id": "o-relate", "name": "Relate", "domains": ["relate.so"]},
]


# The trackers of docs/data-model.md's worked example; R1's mentions are worked out in
# test_warehouse_trackers.py.
TRACKERS = parse_trackers('trackers:\n  Quote: ["quot*"]\n  Start: [shall, "we start"]\n  Ack: [yes, ok]\n', "trackers.yaml")


# Deals (processes P1, with organizations, and P2, with contacts; L1 is a plain list). The window
# edges are exact: E1 starts 2026-05-16T01:00Z, E2 2026-05-17T01:00Z (see test_warehouse_deals.py).
STATUSES = [{"name": "Started", "type": "active"}, {"name": "In Progress", "type": "active"},
            {"name": "Completed", "type": "won"}, {"name": "Canceled", "type": "lost"}]
LISTS = [
    {"id": "P1", "name": "Sales", "process": True, "entry_type": "Organization", "identifier": "DEAL", "statuses": STATUSES},
    {"id": "P2", "name": "Partners", "process": True, "entry_type": "Contact", "identifier": "PART", "statuses": STATUSES},
    {"id": "L1", "name": "Watchlist", "process": False, "entry_type": "Organization"},
]


def _entry(entry_id, list_id, key, entryable, status, created_at, closed_at=None, contact_id=None):
    kind = "Contact" if entryable.startswith("c") else "Organization"
    return {"id": entry_id, "list_id": list_id, "key": key, "entryable_id": entryable, "entryable_type": kind,
            "contact_id": contact_id, "status": status, "one_time_value_cents": 100_000, "recurring_value_cents": 50_000,
            "recurring_value_period": "monthly", "closed_at": closed_at, "created_at": created_at, "updated_at": created_at}


ENTRIES = [
    _entry("DA", "P1", "DEAL-1", "o-acme", "Completed", "2026-05-16T01:00:00Z", "2026-05-17T01:00:00Z"),
    _entry("DB", "P1", "DEAL-2", "o-acme", "Started", "2026-05-16T01:00:00.000001Z"),
    _entry("DC", "P2", "PART-1", "c1", "Canceled", "2026-05-16T01:00:00Z", "2026-05-17T00:59:59Z", contact_id="c1"),
    _entry("DD", "P1", "DEAL-3", "o-beta", "Completed", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z"),
    _entry("DE", "P1", "DEAL-4", "o-relate", "Started", "2026-05-01T00:00:00Z"),
    {"id": "X1", "list_id": "L1", "entryable_id": "o-acme", "entryable_type": "Organization", "created_at": "2026-05-01T00:00:00Z"},
]
# DEAL-1's stages as three snapshots saw them: Started on 2026-05-10, In Progress from midday on
# the 16th (after E1), Completed from the 17th at 06:00 (after E2).
DEAL_1_STAGES = [
    (datetime(2026, 5, 10, tzinfo=timezone.utc), {"status": "Started", "closed_at": None}),
    (datetime(2026, 5, 16, 12, tzinfo=timezone.utc), {"status": "In Progress", "closed_at": None}),
    (datetime(2026, 5, 17, 6, tzinfo=timezone.utc), {}),
]


def _write_entries_history(lake: Lake) -> None:
    """list_entries as three snapshots saw them, each one's changes on its own day, the last one current."""
    previous = None
    for taken_at, stage in DEAL_1_STAGES:
        entries = [{**entry, **stage} if entry["id"] == "DA" else entry for entry in ENTRIES]
        current = flatten_crm("list_entries", entries)["list_entries"]
        changes = snapshot_changes(HISTORIES[2], previous, current, taken_at)
        lake.write_partition("list_entry_changes", taken_at.date().isoformat(), changes)
        previous = current
    lake.write_snapshot("list_entries", previous)
    lake.write_snapshot("lists", flatten_crm("lists", LISTS)["lists"])


def write_conversation_lake(root: str) -> Lake:
    """The recordings take a run's route: raw fetches (R5's 404 included) flattened into the lake,
    then every day's mentions of ``TRACKERS`` computed from the stored transcripts."""
    days = {
        day: {**flatten_events(content["events"]), **flatten_raw_recordings(raw_recordings_table(content["recordings"]))}
        for day, content in DAYS.items()
    }
    lake = write_lake(root, days, CONTACTS, ORGANIZATIONS)
    apply_trackers(lake, TRACKERS)
    _write_entries_history(lake)
    return lake


def query_rows(db, sql: str, params=()) -> list[dict]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
