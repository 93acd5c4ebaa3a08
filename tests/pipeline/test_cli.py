"""The `relate-pipeline` command: clear errors for bad arguments before anything is written, and the demo.

Rejected settings are specified in tests/settings/."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb

from tests.pipeline.truth import exposed_events


def run_cli(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_")}
    return subprocess.run(
        [sys.executable, "-m", "relate_cli.main", *args],
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[2],
    )


def emulator_env(emulator, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment for a run against ``emulator``: data and a new Dagster home under ``tmp_path``."""
    (tmp_path / "home").mkdir()
    return {
        "RELATE_API_BASE_URL": emulator.base_url,
        "RELATE_API_KEY": emulator.api_key,
        "RELATE_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "home"),
    }


def assert_rejected_in_one_line(result: subprocess.CompletedProcess, message: str, tmp_path: Path) -> None:
    """Exit status 2, one line naming the problem, no traceback, nothing written."""
    assert result.returncode == 2
    assert result.stderr.startswith("relate-pipeline: error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_run_rejects_an_end_before_the_start(tmp_path):
    result = run_cli("run", "--start", "2026-05-20", "--end", "2026-05-18", env={"RELATE_DATA_DIR": str(tmp_path / "d"), "RELATE_API_KEY": "k"})
    assert_rejected_in_one_line(result, "--end 2026-05-18 is before --start 2026-05-20", tmp_path)


def test_run_rejects_a_malformed_date(tmp_path):
    result = run_cli("run", "--start", "2026-13-01", "--end", "2026-05-18", env={"RELATE_DATA_DIR": str(tmp_path / "d")})
    assert_rejected_in_one_line(result, "--start must be a date written YYYY-MM-DD", tmp_path)


def test_run_rejects_a_range_before_the_first_partition_naming_the_setting(tmp_path):
    env = {"RELATE_START_DATE": "2026-05-01", "RELATE_API_KEY": "k", "RELATE_DATA_DIR": str(tmp_path / "d")}
    result = run_cli("run", "--start", "2026-04-30", "--end", "2026-05-18", env=env)
    assert_rejected_in_one_line(result, "--start 2026-04-30 is before RELATE_START_DATE (2026-05-01)", tmp_path)


def test_run_rejects_a_range_ending_in_the_future(tmp_path):
    later = (date.today() + timedelta(days=2)).isoformat()
    result = run_cli("run", "--start", "2026-05-18", "--end", later, env={"RELATE_API_KEY": "k", "RELATE_DATA_DIR": str(tmp_path / "d")})
    assert_rejected_in_one_line(result, f"--end {later} is in the future", tmp_path)


def test_sql_without_a_warehouse_says_how_to_build_one(tmp_path):
    result = run_cli("sql", "SELECT 1", env={"RELATE_DATA_DIR": str(tmp_path / "d")})
    assert_rejected_in_one_line(result, "no warehouse at", tmp_path)


def test_sql_with_a_bad_query_is_one_line_and_a_good_one_prints_json_rows(tmp_path):
    import duckdb

    data = tmp_path / "d"
    data.mkdir()
    duckdb.connect(str(data / "warehouse.duckdb")).close()
    env = {"RELATE_DATA_DIR": str(data)}
    bad = run_cli("sql", "SELEC 1", env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("relate-pipeline: error: the query failed: ")
    assert len(bad.stderr.strip().splitlines()) == 1
    good = run_cli("sql", "SELECT 1 AS one, DATE '2026-05-18' AS day, NULL AS nothing", "--format", "json", env=env)
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == '[{"one": 1, "day": "2026-05-18", "nothing": null}]'


def test_run_against_an_unreachable_api_names_it(tmp_path):
    env = {"RELATE_API_BASE_URL": "http://127.0.0.1:9/v1", "RELATE_API_KEY": "k", "RELATE_DATA_DIR": str(tmp_path / "d")}
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env=env)
    assert result.returncode == 2
    assert "could not be reached" in result.stderr


def test_run_cuts_days_in_the_configured_time_zone(emulator, tmp_path):
    data = tmp_path / "seoul"
    env = {
        "RELATE_API_BASE_URL": emulator.base_url,
        "RELATE_API_KEY": emulator.api_key,
        "RELATE_DATA_DIR": str(data),
        "RELATE_TIMEZONE": "Asia/Seoul",
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    (tmp_path / "dagster_home").mkdir()
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-20", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    snapshot = emulator.admin.snapshot()
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as connection:
        for day in ("2026-05-18", "2026-05-19", "2026-05-20"):
            landed = sorted(r[0] for r in connection.execute("SELECT event_id FROM calendar_events WHERE date = ?", [day]).fetchall())
            truth = sorted(e["id"] for e in exposed_events(snapshot, date.fromisoformat(day), date.fromisoformat(day), "Asia/Seoul"))
            assert landed == truth


def test_demo_builds_the_lake_and_warehouse_and_prints_a_query(tmp_path):
    env = {"RELATE_DATA_DIR": str(tmp_path / "demo"), "DAGSTER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    result = run_cli("demo", "--days", "2", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "embedded Relate API emulator" in result.stdout
    assert "transcript_utterances" in result.stdout
    assert "Sample analyst query" in result.stdout
    assert "FROM recording_stats s" in result.stdout and "our_talk_pct" in result.stdout
    assert (tmp_path / "demo" / "warehouse.duckdb").exists()
    with duckdb.connect(str(tmp_path / "demo" / "warehouse.duckdb"), read_only=True) as connection:
        top = connection.execute("SELECT tracker FROM tracker_stats GROUP BY tracker ORDER BY sum(mentions) DESC, tracker LIMIT 1").fetchone()
    assert top is not None, "the demo's trackers found no mention"
    tracker_output = result.stdout.split("FROM tracker_stats", 1)[1]
    assert "by_them" in result.stdout and top[0] in tracker_output
    assert "FROM deal_activity a" in result.stdout and "their_talk_pct" in result.stdout


def test_run_with_refresh_downloads_the_range_again_and_lands_a_regenerated_summary(make_emulator, tmp_path):
    emulator = make_emulator(days=2, meetings_per_day=4, contacts=40, organizations=10, late_fraction=0.0)
    env = emulator_env(emulator, tmp_path)
    assert run_cli("run", "--start", "2026-05-19", "--end", "2026-05-20", env=env).returncode == 0
    event = exposed_events(emulator.admin.snapshot(), date(2026, 5, 19), date(2026, 5, 19), "UTC")[0]
    recording_id = next(r["id"] for r in event["recordings"] if r["status"] == "done")
    emulator.admin.regenerate_summary(recording_id)
    served = emulator.admin.snapshot()["recordings"][recording_id]["summary"]["summary"]

    result = run_cli("run", "--start", "2026-05-19", "--end", "2026-05-20", "--refresh", env=env)

    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as connection:
        (landed,) = connection.execute("SELECT summary_text FROM recordings WHERE recording_id = ?", [recording_id]).fetchone()
    assert landed == served
