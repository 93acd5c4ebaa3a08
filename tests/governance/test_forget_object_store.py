"""`forget` on an `s3://` data dir (moto's server): the bucket holds no trace of the person, before or after later runs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from relate_pipeline.meetings.days import local_day
from tests.governance.scan_support import bucket_files, findings, local_files, person_to_forget
from tests.pipeline.test_cli import run_cli

TODAY = datetime.now(timezone.utc).date()
FIRST = TODAY - timedelta(days=3)


def test_forget_on_a_bucket_leaves_no_trace_and_later_runs_bring_nobody_back(make_emulator, bucket, s3_env, tmp_path):
    emulator = make_emulator(end_date=TODAY.isoformat(), days=4, meetings_per_day=6, contacts=40, organizations=10, late_fraction=0.0)
    person = person_to_forget(emulator.admin.snapshot(), lambda e: local_day(e["start_at"], timezone.utc))
    (tmp_path / "home").mkdir()
    env = {
        **s3_env,
        "RELATE_API_BASE_URL": emulator.base_url,
        "RELATE_API_KEY": emulator.api_key,
        "RELATE_DATA_DIR": f"s3://{bucket}/data",
        "RELATE_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "home"),
    }

    def traces():
        files = {**bucket_files(bucket), **{f"local/{k}": v for k, v in local_files(tmp_path).items() if "home" not in k}}
        return findings(files, [person.address], person.ids)

    def run(*extra: str) -> None:
        result = run_cli("run", "--start", FIRST.isoformat(), "--end", TODAY.isoformat(), *extra, env=env)
        assert result.returncode == 0, result.stderr[-3000:]

    run()
    assert {what for _, what in traces()} == {person.address.lower(), *person.ids}
    forgot = run_cli("forget", "--email", person.address, env=env)
    assert forgot.returncode == 0, forgot.stderr
    assert forgot.stdout.splitlines()[0] == f"meetings removed: {len(person.event_ids)}"
    assert traces() == []
    assert any(key.startswith("data/governance/") for key in bucket_files(bucket))

    run()
    assert traces() == []
    run("--refresh")
    assert traces() == []
    again = run_cli("forget", "--email", person.address, env=env)
    assert again.stdout.splitlines()[0] == "meetings removed: 0"
