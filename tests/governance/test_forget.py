"""`relate-pipeline forget --email`: a person's meetings and contacts leave every file, and no later run brings them back."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from dagster import build_sensor_context

from assets.automation import RANGE_END_TAG, RANGE_START_TAG, meeting_changes
from assets.meetings import MEETING_TABLES_KEY
from relate_pipeline.lake import Lake
from relate_pipeline.meetings.days import local_day
from tests.governance.scan_support import Person, findings, local_files, person_to_forget
from tests.pipeline.test_change_requests import reconcile
from tests.pipeline.test_cli import run_cli
from tests.pipeline.workspace_support import file_states, lake_event_days, metadata_of

TODAY = datetime.now(timezone.utc).date()
FIRST = TODAY - timedelta(days=3)


def utc_day(event: dict) -> str:
    return local_day(event["start_at"], timezone.utc)


@pytest.fixture
def loaded(make_emulator, make_harness):
    """Four days up to today loaded once, and the contact attending meetings on the most of them."""
    emulator = make_emulator(end_date=TODAY.isoformat(), days=4, meetings_per_day=6, contacts=40, organizations=10, late_fraction=0.0)
    harness = make_harness(emulator)
    assert harness.run(FIRST, TODAY).success
    person = person_to_forget(emulator.admin.snapshot(), utc_day, min_days=2)
    return emulator, harness, person


def forget_cli(harness, *addresses: str):
    args = [arg for address in addresses for arg in ("--email", address)]
    return run_cli("forget", *args, env={"RELATE_DATA_DIR": str(harness.data_dir)})


def traces(harness, person: Person) -> list[tuple[str, str]]:
    return findings(local_files(harness.data_dir), [person.address], person.ids)


def test_forget_removes_the_persons_meetings_and_contacts_from_every_file_and_prints_counts_only(loaded):
    emulator, harness, person = loaded
    found = {what for _, what in traces(harness, person)}
    assert found == {person.address.lower(), *person.ids}, "every trace the scan looks for is there before"
    events_before = set(lake_event_days(harness))
    result = forget_cli(harness, f"  {person.address.upper()} ")
    assert result.returncode == 0, result.stderr
    assert person.address.lower() not in result.stdout.lower() and not any(i in result.stdout for i in person.ids)
    assert result.stdout.splitlines() == [
        f"meetings removed: {len(person.event_ids)}",
        f"recordings removed: {len(person.recording_ids)}",
        f"days rewritten: {person.days}",
        f"contacts removed: {len(person.contact_ids)}",
    ]
    assert traces(harness, person) == []
    assert set(lake_event_days(harness)) == events_before - set(person.event_ids)
    suppression = (harness.data_dir / "governance" / "suppressed_addresses.txt").read_text()
    assert len(suppression.split()) == 1 and person.address.lower() not in suppression.lower()


def test_the_other_tables_keep_their_rows_with_the_reference_to_a_forgotten_contact_emptied(loaded):
    emulator, harness, person = loaded
    entries_before = harness.lake.read_snapshot("list_entries")
    referencing = [row for row in entries_before.to_pylist() if row["contact_id"] in person.contact_ids or row["entryable_id"] in person.contact_ids]
    assert forget_cli(harness, person.address).returncode == 0
    entries = harness.lake.read_snapshot("list_entries")
    assert entries.num_rows == entries_before.num_rows
    by_id = {row["entry_id"]: row for row in entries.to_pylist()}
    for row in referencing:
        kept = by_id[row["entry_id"]]
        assert kept["contact_id"] not in person.contact_ids and kept["entryable_id"] not in person.contact_ids
        assert kept["key"] == row["key"] and kept["status"] == row["status"]


def test_forgetting_twice_changes_nothing_the_second_time(loaded):
    _, harness, person = loaded
    assert forget_cli(harness, person.address).returncode == 0
    before = file_states(harness.data_dir)
    again = forget_cli(harness, person.address)
    assert again.returncode == 0
    assert again.stdout.splitlines() == ["meetings removed: 0", "recordings removed: 0", "days rewritten: 0", "contacts removed: 0"]
    assert file_states(harness.data_dir) == before


@pytest.mark.parametrize("bad", ["not-an-address", "two@@example.com", "spaces in@example.com", "nodomain@"])
def test_a_malformed_address_exits_2_naming_it_and_changes_nothing(loaded, bad):
    _, harness, person = loaded
    before = file_states(harness.data_dir)
    result = forget_cli(harness, person.address, bad)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"relate-pipeline: error: --email {bad!r} is not an e-mail address (expected name@domain.tld)"]
    assert result.stdout == ""
    assert file_states(harness.data_dir) == before
    assert not (harness.data_dir / "governance").exists()


# ---------------------------------------------------------------- later runs
def test_no_later_run_of_any_range_brings_them_back_and_each_reports_what_it_suppressed(loaded):
    emulator, harness, person = loaded
    assert forget_cli(harness, person.address).returncode == 0

    result = harness.run(FIRST - timedelta(days=1), TODAY)
    assert result.success and traces(harness, person) == []
    assert metadata_of(result, "raw_meetings")["events_suppressed"].value == len(person.event_ids)
    crm = next(
        e.event_specific_data.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.event_specific_data.materialization.asset_key.to_user_string() == "crm_snapshots"
    )
    assert crm["contacts_suppressed"].value == len(person.contact_ids)

    refreshed = harness.run(FIRST, TODAY, tags={"relate/refresh": "true"})
    assert refreshed.success and traces(harness, person) == []
    assert metadata_of(refreshed, "raw_meetings")["events_suppressed"].value == len(person.event_ids)


def test_a_re_flatten_from_a_raw_store_that_still_holds_them_leaves_them_out(loaded):
    """The raw store as a backup restored after the erasure would hold it: flattening it again drops the person."""
    import shutil

    emulator, harness, person = loaded
    kept_raw = harness.data_dir.parent / "raw-before"
    shutil.copytree(harness.data_dir / "raw", kept_raw)
    assert forget_cli(harness, person.address).returncode == 0
    shutil.rmtree(harness.data_dir / "raw")
    shutil.copytree(kept_raw, harness.data_dir / "raw")

    result = harness.run(FIRST, TODAY, selection=[MEETING_TABLES_KEY])
    assert result.success
    assert findings(local_files(harness.data_dir / "lake"), [person.address], person.ids) == []


def _launch(harness, requests) -> None:
    for request in requests:
        first, last = date.fromisoformat(request.tags[RANGE_START_TAG]), date.fromisoformat(request.tags[RANGE_END_TAG])
        assert harness.run(first, last).success


def test_the_sensor_and_the_weekly_reconcile_bring_nobody_back(loaded):
    emulator, harness, person = loaded
    baseline = meeting_changes.evaluate_tick(build_sensor_context(instance=harness.instance, resources=harness.resources))
    assert forget_cli(harness, person.address).returncode == 0
    for event_id in person.event_ids:
        emulator.admin.edit_event(event_id, title="Edited after the erasure")
    tick = meeting_changes.evaluate_tick(
        build_sensor_context(instance=harness.instance, cursor=baseline.cursor, resources=harness.resources)
    )
    assert tick.run_requests
    _launch(harness, tick.run_requests)
    assert traces(harness, person) == []

    assert reconcile(harness) == [], "a suppressed meeting is no change to reconcile"
    assert traces(harness, person) == []


# ---------------------------------------------------------------- a kill in the middle
HELD_FORGET = """
import os, sys, time

held = os.path.normpath(os.environ["HOLD_AT_PUBLISH"])

def hold_before_publishing(event, args):
    if event == "os.rename" and os.path.normpath(str(args[1])) == held:
        with open(os.environ["HELD_MARKER"], "w") as marker:
            marker.write("held\\n")
        time.sleep(600)

sys.addaudithook(hold_before_publishing)
from relate_cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_forget_killed_in_the_middle_leaves_whole_files_and_running_it_again_finishes_the_job(loaded, tmp_path):
    import shutil
    import subprocess
    import sys

    import pyarrow.parquet as pq

    from tests.reliability.reliability_support import cli_env, lake_contents, raw_contents
    from tests.reliability.test_reliability_kill import kill_when_held

    emulator, harness, person = loaded
    reference = tmp_path / "reference"
    shutil.copytree(harness.data_dir, reference)
    assert run_cli("forget", "--email", person.address, env={"RELATE_DATA_DIR": str(reference)}).returncode == 0

    days = sorted({utc_day(e) for e in emulator.admin.snapshot()["calendar_events"] if e["id"] in person.event_ids})
    held = harness.data_dir / "raw" / "raw_calendar_events" / f"date={days[1]}" / "part.parquet"
    marker = tmp_path / "held"
    env = cli_env(RELATE_DATA_DIR=str(harness.data_dir), HOLD_AT_PUBLISH=str(held), HELD_MARKER=str(marker))
    _, status = kill_when_held([sys.executable, "-c", HELD_FORGET, "forget", "--email", person.address], env, marker, tmp_path / "log")
    assert status == -9
    for path in harness.data_dir.rglob("*.parquet"):
        pq.read_table(path)
    assert traces(harness, person), "the kill came after the job was done"

    again = forget_cli(harness, person.address)
    assert again.returncode == 0, again.stderr
    assert traces(harness, person) == []
    assert lake_contents(harness.lake) == lake_contents(Lake(str(reference / "lake")))
    assert raw_contents(harness.lakehouse.raw) == raw_contents(Lake(str(reference / "raw")))
