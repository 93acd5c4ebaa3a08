"""The CRM step keeps history in real runs: the first snapshot is every row's first version, an
unchanged run adds nothing, and a deal moved to another stage gets a new version."""

from __future__ import annotations

import duckdb
import httpx

from tests.pipeline.workspace_support import SMALL_WORKSPACE, SMALL_WORKSPACE_DAYS

FIRST, LAST = SMALL_WORKSPACE_DAYS


def _changes(harness, table: str) -> int:
    return sum(harness.lake.read_partition(table, day).num_rows for day in harness.lake.partitions(table))


def test_history_across_runs(make_emulator, make_harness):
    emulator = make_emulator(**SMALL_WORKSPACE)
    harness = make_harness(emulator)
    assert harness.run(LAST, LAST).success
    truth = emulator.admin.snapshot()
    processes = {item["id"]: item for item in truth["lists"] if item["process"]}
    assert _changes(harness, "contact_changes") == len(truth["contacts"])
    assert _changes(harness, "list_entry_changes") == sum(len(entries) for entries in truth["entries"].values())

    assert harness.run(LAST, LAST).success
    assert _changes(harness, "contact_changes") == len(truth["contacts"])

    list_id, entries = next((list_id, entries) for list_id, entries in truth["entries"].items() if list_id in processes and entries)
    entry = entries[0]
    stage = next(status["name"] for status in processes[list_id]["statuses"] if status["name"] != entry["status"])
    response = httpx.patch(
        f"{emulator.base_url}/lists/{list_id}/entries/{entry['id']}",
        json={"status": stage},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    )
    assert response.status_code == 200, response.text
    assert harness.run(LAST, LAST).success
    with duckdb.connect(harness.warehouse_path, read_only=True) as db:
        versions = db.execute(
            "SELECT status, is_current FROM list_entries_history WHERE entry_id = ? ORDER BY valid_from", [entry["id"]]
        ).fetchall()
        deals = db.execute("SELECT count(*) FROM deals").fetchone()[0]
    assert versions == [(entry["status"], False), (stage, True)]
    assert deals == sum(len(truth["entries"][list_id]) for list_id in processes)
