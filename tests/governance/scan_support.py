"""Byte-level scans of a data dir, a bucket or a Dagster instance for personal data, and the person a test forgets.

A Parquet file is zstd-compressed, so its raw bytes could hide a value: each one is scanned as its
raw bytes and as every value it decodes to (response bodies included). Every other file (the
DuckDB warehouse, the suppression list, SQLite databases, logs) is scanned as its raw bytes.
Addresses are matched case-insensitively, ids exactly.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import boto3
import pyarrow.parquet as pq


def _decoded(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return " ".join(_decoded(item) for item in value)
    if isinstance(value, dict):
        return " ".join(_decoded(item) for item in value.values())
    return "" if value is None else str(value)


def readable_text(name: str, content: bytes) -> str:
    """What a scan looks through: the raw bytes, and for Parquet every decoded value too."""
    text = content.decode("utf-8", "replace")
    if name.endswith(".parquet") and content:
        table = pq.read_table(io.BytesIO(content))
        text += "\n" + "\n".join(_decoded(value) for column in table.columns for value in column.to_pylist())
    return text


def local_files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def bucket_files(bucket: str) -> dict[str, bytes]:
    s3 = boto3.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def findings(files: Mapping[str, bytes], addresses: Iterable[str] = (), exact: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(file, what was found) for every address (any case) and every exact string found in a file."""
    addresses, exact = [a.lower() for a in addresses], list(exact)
    found = []
    for name, content in files.items():
        text = readable_text(name, content)
        lowered = text.lower()
        found += [(name, address) for address in addresses if address in lowered]
        found += [(name, value) for value in exact if value in text]
    return found


@dataclass(frozen=True)
class Person:
    """Someone to forget: an attendee who is also a contact, with every id that ties the lake to them."""

    address: str
    event_ids: tuple[str, ...]
    recording_ids: tuple[str, ...]
    contact_ids: tuple[str, ...]
    days: int

    @property
    def ids(self) -> tuple[str, ...]:
        return self.event_ids + self.recording_ids + self.contact_ids


def attendee_address(attendee) -> str:
    return (attendee.get("email") if isinstance(attendee, dict) else attendee).strip()


def person_to_forget(snapshot: dict, day_of, min_days: int = 1) -> Person:
    """The contact attending exposed meetings on the most days (at least ``min_days``); ``day_of(event)`` gives an event's day."""
    contact_addresses = {address.strip().lower() for contact in snapshot["contacts"] for address in contact.get("emails") or []}
    days: dict[str, set[str]] = {}
    counts: Counter = Counter()
    for event in snapshot["calendar_events"]:
        if not event["exposed"]:
            continue
        for attendee in event["attendees"]:
            address = attendee_address(attendee)
            if address.lower() in contact_addresses:
                days.setdefault(address.lower(), set()).add(day_of(event))
                counts[address.lower()] += 1
    address = max(days, key=lambda a: (len(days[a]), counts[a], a))
    assert len(days[address]) >= min_days, "the workspace has no contact attending meetings on enough days"
    events = [
        event for event in snapshot["calendar_events"]
        if event["exposed"] and any(attendee_address(a).lower() == address for a in event["attendees"])
    ]
    recordings = [r["id"] for event in events for r in event["recordings"] if r["status"] == "done"]
    contacts = [c["id"] for c in snapshot["contacts"] if address in {a.strip().lower() for a in c.get("emails") or []}]
    served = next(attendee_address(a) for a in events[0]["attendees"] if attendee_address(a).lower() == address)
    return Person(served, tuple(e["id"] for e in events), tuple(recordings), tuple(contacts), len(days[address]))


def personal_data(snapshot: dict, min_text: int = 12) -> tuple[set[str], set[str]]:
    """(every address, every name and transcript sentence) of the workspace: what an instance must never hold."""
    addresses = {attendee_address(a) for e in snapshot["calendar_events"] for a in e["attendees"]}
    addresses |= {a for c in snapshot["contacts"] for a in c.get("emails") or []}
    addresses |= {u["email"] for u in snapshot["users"] if u.get("email")}
    names = {" ".join(p for p in (c.get("first_name"), c.get("last_name")) if p) for c in snapshot["contacts"]}
    words = {
        word["text"]
        for recording in snapshot["recordings"].values()
        for segment in recording.get("transcript") or []
        for word in segment.get("words") or []
        if isinstance(word.get("text"), str) and len(word["text"]) >= min_text
    }
    speakers = {
        segment["participant"]["name"]
        for recording in snapshot["recordings"].values()
        for segment in recording.get("transcript") or []
        if isinstance(segment.get("participant"), dict) and segment["participant"].get("name")
    }
    return {a for a in addresses if a}, {n for n in names | speakers | words if n and len(n) >= 5}
