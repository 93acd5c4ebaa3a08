"""``forget``: every meeting a person attended and every contact with their address, out of every store.

The addresses go on the suppression list first, so from that moment no run (any range,
``--refresh``, the sensor, the reconcile, a re-flatten from the raw store) can bring them back,
whatever happens to this process. Then each day of the raw store holding one of their meetings is
rewritten without it (recordings, deletions, then the listing, each file replaced whole) and
flattened again from it, which rewrites every table derived from that day; then the CRM snapshot
loses their contacts. A kill leaves each file before or after; running ``forget`` again finds
what is left by its content (the raw listing, the lake's attendees, a day whose tables are older
than its raw files) and finishes it. The day indexes of the lake and the raw store (which day
holds which id) are refreshed from the rewritten days; each heals itself from file identities if
a kill comes first. The warehouse holds views over the lake and no copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.day_index import refresh_day_index, refresh_raw_index
from relate_pipeline.crm.history import HISTORIES
from relate_pipeline.governance.contacts import forgotten_contact_ids, scrubbed, without_forgotten_contacts
from relate_pipeline.governance.policy import DataPolicy
from relate_pipeline.governance.suppression import SuppressionStore, normalised_address
from relate_pipeline.lake import Lake
from relate_pipeline.meetings.day_tables import tables_current, write_meeting_day
from relate_pipeline.meetings.raw_store import BATCH_RECORDINGS
from relate_pipeline.meetings.trackers import Trackers
from relate_pipeline.tables import CRM_TABLES

CRM_WRITE_ORDER = tuple(name for name in CRM_TABLES if name != "contact_emails") + ("contact_emails",)
"""``contact_emails`` last: it is how a forgotten contact is found, so it must outlive every other table's rewrite."""


@dataclass
class ForgetReport:
    """What one ``forget`` removed: counts only, never who."""

    meetings: int = 0
    recordings: int = 0
    days_rewritten: int = 0
    contacts: int = 0

    def lines(self) -> list[str]:
        return [
            f"meetings removed: {self.meetings}",
            f"recordings removed: {self.recordings}",
            f"days rewritten: {self.days_rewritten}",
            f"contacts removed: {self.contacts}",
        ]


def _refused_events(bodies: Iterable[bytes], policy: DataPolicy) -> dict[str, set[str]]:
    """The events among ``bodies`` the policy refuses, each with the recording ids it lists."""
    refused: dict[str, set[str]] = {}
    for body in bodies:
        event = orjson.loads(body)
        if not policy.admits(event):
            recordings = event.get("recordings") or []
            refused[event["id"]] = {r["id"] for r in recordings if isinstance(r, dict) and isinstance(r.get("id"), str)}
    return refused


def _bodies(table: pa.Table | None) -> list[bytes]:
    return [] if table is None else table.column("body").to_pylist()


def _without_ids(table: pa.Table, column: str, ids: set[str]) -> pa.Table:
    refused = pa.array(sorted(ids), type=pa.string())
    return table.filter(pc.invert(pc.fill_null(pc.is_in(table.column(column), value_set=refused), False)))


def _lake_mentions(lake: Lake, day: str, policy: DataPolicy) -> bool:
    """Whether the day's flattened attendees still hold a forgotten address."""
    suppression = policy.suppression
    for batch in lake.iter_partition("event_attendees", day, 10_000, columns=["email"]):
        if any(suppression.matches(address) for address in batch.column("email").to_pylist()):
            return True
    return False


def forget_day(raw: Lake, lake: Lake, day: str, policy: DataPolicy, trackers: Trackers = Trackers()) -> tuple[int, int, bool]:
    """One day without the refused events: (meetings removed, recordings removed, whether it was rewritten)."""
    events = raw.read_partition("raw_calendar_events", day)
    deleted = raw.read_partition("raw_deleted_events", day)
    refused = _refused_events(_bodies(events), policy) | _refused_events(_bodies(deleted), policy)
    recordings = 0
    if refused:
        event_ids = set(refused)
        recording_ids = set().union(*refused.values())
        with raw.open_partition("raw_recordings", day) as kept:
            for batch in raw.iter_partition("raw_recordings", day, BATCH_RECORDINGS):
                remaining = _without_ids(_without_ids(batch, "calendar_event_id", event_ids), "recording_id", recording_ids)
                recordings += batch.num_rows - remaining.num_rows
                kept.write(remaining)
        if deleted is not None:
            raw.write_partition("raw_deleted_events", day, _without_ids(deleted, "event_id", event_ids))
        if events is not None:
            raw.write_partition("raw_calendar_events", day, _without_ids(events, "event_id", event_ids))
    if events is None and deleted is None:
        # No raw files: nothing to flatten from, and a day flattened from nothing would lose its other meetings.
        return 0, 0, False
    if refused or _lake_mentions(lake, day, policy) or not tables_current(raw, lake, day):
        write_meeting_day(raw, lake, day, trackers, policy)
        return len(refused), recordings, True
    return 0, 0, False


def _forget_in_history(lake: Lake, forgotten: set[str]) -> None:
    """Every day of the CRM history (``relate_pipeline.crm.history``) without the forgotten contacts."""
    if not forgotten:
        return
    for history in HISTORIES:
        for day in lake.partitions(history.changes):
            changes = lake.read_partition(history.changes, day)
            cleaned = scrubbed(history.table, changes, forgotten)
            if not cleaned.equals(changes):
                lake.write_partition(history.changes, day, cleaned)


def forget_contacts(lake: Lake, policy: DataPolicy) -> int:
    """The CRM snapshot and its history without the forgotten contacts; returns how many were removed.

    The history goes first and ``contact_emails`` (how a forgotten contact is found) last, so a
    rerun after a kill still finds every contact to finish."""
    tables = {name: lake.read_snapshot(name) for name in CRM_TABLES}
    if any(table is None for table in tables.values()):
        present = {name: table for name, table in tables.items() if table is not None}
        if "contact_emails" not in present or "contacts" not in present:
            return 0
        tables = present
    _forget_in_history(lake, forgotten_contact_ids(tables.get("contact_emails"), policy.suppression))
    cleaned, removed = without_forgotten_contacts(tables, policy.suppression)
    for name in CRM_WRITE_ORDER:
        if name in cleaned and not cleaned[name].equals(tables[name]):
            lake.write_snapshot(name, cleaned[name])
    return removed


def forget(data_dir: str, addresses: Iterable[str], trackers: Trackers = Trackers()) -> ForgetReport:
    """Forget every address (see the module docstring); a malformed one raises before anything changes."""
    normalised = sorted({normalised_address(address) for address in addresses})
    policy = DataPolicy(suppression=SuppressionStore(data_dir).add(normalised))
    root = data_dir.rstrip("/")
    raw, lake = Lake(f"{root}/raw"), Lake(f"{root}/lake")
    report = ForgetReport()
    days = set(raw.partitions("raw_calendar_events")) | set(raw.partitions("raw_deleted_events"))
    for day in sorted(days | set(lake.partitions("event_attendees"))):
        meetings, recordings, rewritten = forget_day(raw, lake, day, policy, trackers)
        report.meetings += meetings
        report.recordings += recordings
        report.days_rewritten += rewritten
    refresh_raw_index(raw)
    refresh_day_index(lake)
    report.contacts = forget_contacts(lake, policy)
    return report
