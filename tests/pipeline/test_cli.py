"""The `relate-pipeline` command: clear errors before anything is written, and the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from tests.pipeline.truth import exposed_events


def run_cli(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_")}
    return subprocess.run(
        [sys.executable, "-m", "assets.cli", *args],
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_run_rejects_an_end_before_the_start(tmp_path):
    result = run_cli("run", "--start", "2026-05-20", "--end", "2026-05-18", env={"RELATE_DATA_DIR": str(tmp_path / "d"), "RELATE_API_KEY": "k"})
    assert result.returncode == 2
    assert "--end 2026-05-18 is before --start 2026-05-20" in result.stderr
    assert not (tmp_path / "d").exists()


def test_run_rejects_a_malformed_date(tmp_path):
    result = run_cli("run", "--start", "2026-13-01", "--end", "2026-05-18", env={"RELATE_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 2
    assert "--start must be a date written YYYY-MM-DD" in result.stderr


def test_run_rejects_an_unknown_time_zone(tmp_path):
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env={"RELATE_TIMEZONE": "Mars/Olympus", "RELATE_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 2
    assert "RELATE_TIMEZONE" in result.stderr


def test_run_with_a_rejected_key_fails_before_writing_anything(emulator, tmp_path):
    env = {"RELATE_API_BASE_URL": emulator.base_url, "RELATE_API_KEY": "not-the-key-7f3a", "RELATE_DATA_DIR": str(tmp_path / "d")}
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env=env)
    assert result.returncode == 2
    assert "rejected RELATE_API_KEY (401)" in result.stderr
    assert "not-the-key-7f3a" not in result.stderr + result.stdout
    assert not (tmp_path / "d").exists()


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
    assert (tmp_path / "demo" / "warehouse.duckdb").exists()


def test_run_with_refresh_downloads_the_range_again_and_lands_a_regenerated_summary(make_emulator, tmp_path):
    emulator = make_emulator(days=2, meetings_per_day=4, contacts=40, organizations=10, late_fraction=0.0)
    env = {
        "RELATE_API_BASE_URL": emulator.base_url,
        "RELATE_API_KEY": emulator.api_key,
        "RELATE_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "home"),
    }
    (tmp_path / "home").mkdir()
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
