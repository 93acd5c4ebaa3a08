"""Events inserted and edited while a range run pages through the calendar listing.

Offset paging over a newest-first list shifts under inserts, so the run that sees the change may
miss a brand-new event; what it must never do is duplicate or lose an event that existed all along.
The next run of the same days must then equal a fault-free run of the changed workspace.
"""

from __future__ import annotations

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
PAGES_BEFORE_CHANGES = 2
RENAMED_LATE = "Renamed after the listing passed it"
RENAMED_EARLY = "Renamed before the listing reached it"
INSERTED = ("inserted-while-paging-1", "inserted-while-paging-2")


@dataclass(frozen=True)
class MidListingChanges:
    """Edits of the oldest and the newest event and two inserts, which the emulator applies right after
    it has served the second listing page: every day needs more pages than that, so the changes land
    while every day's listing is still under way, and the oldest event is still to be listed."""

    newest_id: str
    oldest_id: str
    inserted: tuple[str, ...] = INSERTED

    def queue(self, admin) -> None:
        starts = (datetime(2026, 5, 20, 23, 58, tzinfo=timezone.utc), datetime(2026, 5, 19, 12, 0, tzinfo=timezone.utc))
        admin.queue_changes(
            LISTING,
            PAGES_BEFORE_CHANGES,
            {"operation": "edit_event", "id": self.oldest_id, "body": {"title": RENAMED_EARLY}},
            {"operation": "edit_event", "id": self.newest_id, "body": {"title": RENAMED_LATE}},
            *({"operation": "insert_event", "body": {"id": event_id, "start_at": start, "title": "Inserted while paging"}}
              for event_id, start in zip(self.inserted, starts)),
        )


@dataclass(frozen=True)
class ChangedRun:
    changes: MidListingChanges
    listing_pages: int
    pending_after_run: int
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
        admin.set_faults(max_page_size=2)
        admin.reset_stats()
        changes = MidListingChanges(newest_id=existing[-1]["id"], oldest_id=existing[0]["id"])
        changes.queue(admin)
        harness = PipelineHarness(emulator, root / "changed")
        first_result = harness.run(FIRST, LAST)
        listing_pages = admin.stats()["requests"][LISTING]
        pending = admin.pending_changes()
        admin.set_faults(max_page_size=100)
        first_lake = lake_contents(harness.lake)
        first_titles = {
            row["event_id"]: row["title"]
            for day in harness.lake.partitions("calendar_events")
            for row in harness.lake.read_partition("calendar_events", day).to_pylist()
        }
        harness.run(FIRST, LAST)
        fresh = PipelineHarness(emulator, root / "fresh")
        fresh.run(FIRST, LAST)
    return ChangedRun(changes, listing_pages, pending, [e["id"] for e in existing], first_result, first_lake,
                      first_titles, harness, fresh)


def test_changes_landed_between_the_listings_first_and_last_page(changed_run):
    assert changed_run.pending_after_run == 0
    assert changed_run.listing_pages > PAGES_BEFORE_CHANGES + 3, "every day's listing goes on after the changes"


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
