"""Events inserted and edited while a range run pages through the calendar listing.

Offset paging over a newest-first list shifts under inserts, so the run that sees the change may
miss a brand-new event; what it must never do is duplicate or lose an event that existed all along.
The next run of the same days must then equal a fault-free run of the changed workspace.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson
import pytest

from tests.pipeline.conftest import PipelineHarness
from tests.reliability.reliability_support import (
    FIRST,
    LAST,
    lake_contents,
    raw_contents,
    restored,
    warehouse_contents,
)

LISTING = "GET /v1/calendar_events"
RENAMED_LATE = "Renamed after the listing passed it"
RENAMED_EARLY = "Renamed before the listing reached it"


class MidListingChanges(threading.Thread):
    """Once the run has fetched two listing pages, edits the oldest and the newest event and inserts two more."""

    def __init__(self, admin, newest_id: str, oldest_id: str) -> None:
        super().__init__(name="mid-listing-changes", daemon=True)
        self.admin = admin
        self.newest_id = newest_id
        self.oldest_id = oldest_id
        self.pages_before: int | None = None
        self.pages_after: int | None = None
        self.inserted: list[str] = []

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pages = self.admin.stats()["requests"].get(LISTING, 0)
            if pages >= 2:
                self.pages_before = pages
                break
            time.sleep(0.005)
        else:
            return
        self.admin.edit_event(self.oldest_id, title=RENAMED_EARLY)
        self.admin.edit_event(self.newest_id, title=RENAMED_LATE)
        for start in (datetime(2026, 5, 20, 23, 58, tzinfo=timezone.utc), datetime(2026, 5, 19, 12, 0, tzinfo=timezone.utc)):
            self.inserted.append(self.admin.insert_event(start, title="Inserted while paging")["id"])
        self.pages_after = self.admin.stats()["requests"].get(LISTING, 0)


@dataclass(frozen=True)
class ChangedRun:
    changes: MidListingChanges
    listing_pages: int
    existing_ids: list[str]
    first_result: object
    first_lake: dict[str, list[str]]
    first_titles: dict[str, str]
    rerun: PipelineHarness
    fresh: PipelineHarness


def landed_event_ids(lake: dict[str, list[str]]) -> Counter:
    return Counter(orjson.loads(row)["event_id"] for row in lake["calendar_events"])


def in_range(event: dict) -> bool:
    return FIRST <= datetime.fromisoformat(event["start_at"]).astimezone(timezone.utc).date() <= LAST


@pytest.fixture(scope="module")
def changed_run(reliability_emulator, baseline, tmp_path_factory) -> ChangedRun:
    root = tmp_path_factory.mktemp("listing-changes")
    with restored(reliability_emulator) as emulator:
        admin = emulator.admin
        existing = sorted(
            (e for e in admin.snapshot()["calendar_events"] if e["exposed"] and in_range(e)),
            key=lambda e: datetime.fromisoformat(e["start_at"]),
        )
        admin.set_faults(max_page_size=2, latency_ms=60)
        admin.reset_stats()
        changes = MidListingChanges(admin, newest_id=existing[-1]["id"], oldest_id=existing[0]["id"])
        harness = PipelineHarness(emulator, root / "changed")
        changes.start()
        first_result = harness.run(FIRST, LAST)
        changes.join(timeout=60)
        listing_pages = admin.stats()["requests"][LISTING]
        admin.set_faults(max_page_size=100, latency_ms=0)
        first_lake = lake_contents(harness.lake)
        first_titles = {
            row["event_id"]: row["title"]
            for day in harness.lake.partitions("calendar_events")
            for row in harness.lake.read_partition("calendar_events", day).to_pylist()
        }
        harness.run(FIRST, LAST)
        fresh = PipelineHarness(emulator, root / "fresh")
        fresh.run(FIRST, LAST)
    return ChangedRun(changes, listing_pages, [e["id"] for e in existing], first_result, first_lake, first_titles,
                      harness, fresh)


def test_changes_landed_between_the_listings_first_and_last_page(changed_run):
    changes = changed_run.changes
    assert changes.pages_before is not None and changes.pages_after < changed_run.listing_pages


def test_every_event_that_existed_before_the_listing_lands_exactly_once(changed_run):
    landed = landed_event_ids(changed_run.first_lake)
    assert {event_id: landed[event_id] for event_id in changed_run.existing_ids} == dict.fromkeys(changed_run.existing_ids, 1)
    assert max(landed.values()) == 1


def test_run_that_met_the_changes_has_no_duplicate_key_in_any_table(changed_run):
    evaluations = [e for e in changed_run.first_result.get_asset_check_evaluations() if e.check_name == "unique_keys"]
    assert {e.asset_key.to_user_string() for e in evaluations} == {"meeting_tables", "crm_snapshots"}
    assert changed_run.first_result.success and all(e.passed for e in evaluations)


def test_edit_made_before_the_listing_reached_the_event_is_in_that_run(changed_run):
    assert changed_run.first_titles[changed_run.changes.oldest_id] == RENAMED_EARLY


def test_next_run_equals_a_fault_free_run_of_the_changed_workspace(changed_run):
    rerun, fresh = changed_run.rerun, changed_run.fresh
    assert set(changed_run.changes.inserted) <= set(landed_event_ids(lake_contents(rerun.lake)))
    assert lake_contents(rerun.lake) == lake_contents(fresh.lake)
    assert raw_contents(rerun.lakehouse.raw) == raw_contents(fresh.lakehouse.raw)
    assert warehouse_contents(rerun.warehouse_path) == warehouse_contents(fresh.warehouse_path)
