"""The Dagster instance holds no personal data: every file of a real instance, after real runs, scanned byte by byte.

Run and asset metadata, check metadata, logs and the Markdown summaries carry ids and aggregates
only, so an erasure never needs to touch the instance.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from relate_pipeline.meetings.days import local_day
from tests.governance.scan_support import findings, local_files, person_to_forget, personal_data
from tests.pipeline.test_cli import emulator_env, run_cli

TODAY = datetime.now(timezone.utc).date()


def test_no_email_name_or_transcript_text_reaches_any_file_of_the_instance(make_emulator, tmp_path):
    emulator = make_emulator(end_date=TODAY.isoformat(), days=4, meetings_per_day=6, contacts=40, organizations=10, late_fraction=0.3)
    snapshot = emulator.admin.snapshot()
    env = emulator_env(emulator, tmp_path)
    first = (TODAY - timedelta(days=3)).isoformat()
    assert run_cli("run", "--start", first, "--end", TODAY.isoformat(), env=env).returncode == 0
    person = person_to_forget(snapshot, lambda e: local_day(e["start_at"], timezone.utc))
    assert run_cli("forget", "--email", person.address, env=env).returncode == 0
    emulator.admin.advance_clock(3 * 86400)
    for extra in ((), ("--refresh",)):
        result = run_cli("run", "--start", first, "--end", TODAY.isoformat(), *extra, env=env)
        assert result.returncode == 0, result.stderr[-3000:]

    addresses, texts = personal_data(emulator.admin.snapshot())
    instance = local_files(tmp_path / "home")
    assert instance and sum(map(len, instance.values())) > 100_000, "the instance recorded the runs"
    assert findings(instance, addresses, texts) == []
    data = local_files(tmp_path / "data")
    assert findings(data, addresses), "the scan finds personal data where it is stored"
