"""Bad input to `relate-pipeline run`: a clear error naming what is wrong, exit status 2, nothing written.

End-before-start, a malformed day, an unknown time zone and an unreachable API are covered in
tests/pipeline/test_cli.py; these are the remaining ways a deployment can be misconfigured.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.reliability.reliability_support import cli_env, run_cli


def rejected(result, data_dir, message: str) -> None:
    assert result.returncode == 2, result.stderr[-2000:]
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not data_dir.exists()


@pytest.mark.parametrize(
    "url, message",
    [
        ("api.relate.so/v1", "RELATE_API_BASE_URL must start with http:// or https://"),
        ("https://user:secret@api.relate.so/v1", "RELATE_API_BASE_URL must not embed credentials"),
        ("https://api.relate.so:99999/v1", "RELATE_API_BASE_URL has an invalid port"),
    ],
    ids=["no-scheme", "credentials-in-url", "bad-port"],
)
def test_malformed_base_url_is_rejected_naming_it_before_anything_is_written(tmp_path, url, message):
    data_dir = tmp_path / "data"
    env = cli_env(RELATE_API_BASE_URL=url, RELATE_API_KEY="k", RELATE_DATA_DIR=str(data_dir))
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env=env)
    rejected(result, data_dir, message)
    assert "secret" not in result.stderr


def test_missing_key_for_the_real_api_is_rejected_naming_the_variable(tmp_path):
    data_dir = tmp_path / "data"
    env = cli_env(RELATE_DATA_DIR=str(data_dir))
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env=env)
    rejected(result, data_dir, "no Relate API key: set the RELATE_API_KEY environment variable")


def test_malformed_start_date_setting_is_rejected_naming_it(tmp_path):
    data_dir = tmp_path / "data"
    env = cli_env(RELATE_START_DATE="2026/01/01", RELATE_API_KEY="k", RELATE_DATA_DIR=str(data_dir))
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env=env)
    rejected(result, data_dir, "RELATE_START_DATE must be a date written YYYY-MM-DD, got '2026/01/01'")


def test_range_before_the_first_partition_is_rejected_naming_the_setting(tmp_path):
    data_dir = tmp_path / "data"
    env = cli_env(RELATE_START_DATE="2026-05-01", RELATE_API_KEY="k", RELATE_DATA_DIR=str(data_dir))
    result = run_cli("run", "--start", "2026-04-30", "--end", "2026-05-18", env=env)
    rejected(result, data_dir, "--start 2026-04-30 is before RELATE_START_DATE (2026-05-01)")


def test_range_ending_in_the_future_is_rejected(tmp_path):
    data_dir = tmp_path / "data"
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    env = cli_env(RELATE_API_KEY="k", RELATE_DATA_DIR=str(data_dir))
    result = run_cli("run", "--start", "2026-05-18", "--end", tomorrow, env=env)
    rejected(result, data_dir, f"--end {tomorrow} is in the future")


def test_rejected_key_is_asked_once_and_never_retried(reliability_emulator, faults, tmp_path):
    data_dir = tmp_path / "data"
    env = cli_env(RELATE_API_BASE_URL=reliability_emulator.base_url, RELATE_API_KEY="sk-rejected-90d2",
                  RELATE_DATA_DIR=str(data_dir))
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env=env)
    rejected(result, data_dir, "rejected RELATE_API_KEY (401)")
    stats = faults.stats()
    assert (stats["total_requests"], stats["statuses"]) == (1, {"401": 1})
