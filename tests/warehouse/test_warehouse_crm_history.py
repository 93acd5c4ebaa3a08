"""contacts_history, organizations_history and list_entries_history over snapshots taken one after another.

Each "run" is what the CRM step does: record the changes against the stored snapshot, then replace it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from relate_pipeline.crm.fetch import replace_changed_snapshots
from relate_pipeline.crm.flatten import flatten_crm
from relate_pipeline.crm.history import record_history
from relate_pipeline.lake import Lake
from relate_pipeline.warehouse.build import build_warehouse

T = [datetime(2026, 5, 1, 9, tzinfo=timezone.utc) + timedelta(hours=6 * i) for i in range(6)]
CONTACT = {"id": "c1", "first_name": "Ann", "last_name": "Lee", "emails": ["ann@acme.com"], "organization_id": "o1"}


def _snapshot(contacts=(), organizations=(), entries=()):
    tables = {}
    for resource, items in (("contacts", contacts), ("organizations", organizations), ("list_entries", entries)):
        tables.update(flatten_crm(resource, list(items)))
    return tables


def _run(lake: Lake, taken_at: datetime, **items) -> dict[str, int]:
    tables = _snapshot(**items)
    changes = record_history(lake, tables, taken_at)
    replace_changed_snapshots(lake, tables)
    return changes


def _history(lake: Lake, tmp_path, view: str, columns: str) -> list[tuple]:
    build_warehouse(tmp_path / "w.duckdb", lake)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as db:
        return db.execute(f"SELECT {columns}, valid_from, valid_to, is_current FROM {view} ORDER BY 1, valid_from").fetchall()


def _entry(status, list_id="P1"):
    return {"id": "D1", "list_id": list_id, "key": "DEAL-1", "entryable_id": "o1", "entryable_type": "Organization", "status": status}


def test_moves_deletions_and_unchanged_snapshots(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    assert _run(lake, T[0], entries=[_entry("Started")])["list_entry_changes"] == 1
    assert _run(lake, T[1], entries=[_entry("In Progress")])["list_entry_changes"] == 1  # a stage move
    assert _run(lake, T[2], entries=[_entry("In Progress")])["list_entry_changes"] == 0  # unchanged: nothing
    assert _run(lake, T[3], entries=[_entry("In Progress", list_id="P2")])["list_entry_changes"] == 1  # moved to another process
    assert _run(lake, T[4], entries=[])["list_entry_changes"] == 1  # deleted
    assert _run(lake, T[5], entries=[_entry("Won", list_id="P2")])["list_entry_changes"] == 1  # back again
    assert _history(lake, tmp_path, "list_entries_history", "entry_id, list_id, status") == [
        ("D1", "P1", "Started", T[0], T[1], False),
        ("D1", "P1", "In Progress", T[1], T[3], False),
        ("D1", "P2", "In Progress", T[3], T[4], False),
        ("D1", "P2", "Won", T[5], None, True),
    ]


def test_any_column_makes_a_version_and_a_row_that_disappears_is_closed(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    other = {"id": "c2", "first_name": "Bo", "emails": ["bo@beta.io"]}
    _run(lake, T[0], contacts=[CONTACT, other])
    _run(lake, T[1], contacts=[{**CONTACT, "phone_numbers": ["+82 10"]}, other])
    _run(lake, T[2], contacts=[{**CONTACT, "phone_numbers": ["+82 10"]}])
    assert _history(lake, tmp_path, "contacts_history", "contact_id, phone_numbers") == [
        ("c1", [], T[0], T[1], False),
        ("c1", ["+82 10"], T[1], None, True),
        ("c2", [], T[0], T[2], False),
    ]


def test_changes_written_twice_by_a_stopped_run_make_no_extra_version(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    _run(lake, T[0], organizations=[{"id": "o1", "name": "Acme"}])
    record_history(lake, _snapshot(organizations=[{"id": "o1", "name": "Acme Corp"}]), T[1])  # stopped before the snapshot
    _run(lake, T[2], organizations=[{"id": "o1", "name": "Acme Corp"}])
    assert _history(lake, tmp_path, "organizations_history", "organization_id, name") == [
        ("o1", "Acme", T[0], T[1], False),
        ("o1", "Acme Corp", T[1], None, True),
    ]


def test_a_data_dir_without_history_starts_it_from_its_current_snapshot(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    replace_changed_snapshots(lake, _snapshot(organizations=[{"id": "o1", "name": "Acme"}]))
    stored_at = datetime(2026, 4, 30, 8, tzinfo=timezone.utc)
    path = tmp_path / "lake" / "organizations" / "snapshot.parquet"
    os.utime(path, ns=(int(stored_at.timestamp() * 1e9),) * 2)
    _run(lake, T[0], organizations=[{"id": "o1", "name": "Acme"}, {"id": "o2", "name": "Beta"}])
    assert _history(lake, tmp_path, "organizations_history", "organization_id, name") == [
        ("o1", "Acme", stored_at, None, True),
        ("o2", "Beta", T[0], None, True),
    ]


@pytest.mark.parametrize("view", ["contacts_history", "organizations_history", "list_entries_history"])
def test_an_empty_history_is_an_empty_view(tmp_path, view):
    assert _history(Lake(str(tmp_path / "lake")), tmp_path, view, "1") == []
