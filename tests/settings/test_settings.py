"""Every RELATE_* variable is validated in one place: one line naming the variable and what it accepts.

This is the one suite for rejected settings: each rejected value is here once, through
``rejection``, and one test shows the command line printing such a rejection.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from relate_pipeline.client.config import DEFAULT_BASE_URL
from relate_pipeline.settings import PipelineSettings, SettingsError
from tests.pipeline.test_cli import run_cli


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("RELATE_"):
            monkeypatch.delenv(name)


def settings_from(monkeypatch, **variables: str) -> PipelineSettings:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return PipelineSettings.from_env()


def rejection(monkeypatch, **variables: str) -> str:
    """The one-line message with which the settings refuse ``variables``."""
    with pytest.raises(SettingsError) as raised:
        settings_from(monkeypatch, **variables)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_defaults_without_any_variable(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = PipelineSettings.from_env()
    assert (settings.api_base_url, settings.timezone, settings.start_date) == (DEFAULT_BASE_URL, ZoneInfo("UTC"), date(2025, 1, 1))
    assert (settings.data_dir, settings.warehouse_path) == (str(tmp_path / "data"), str(tmp_path / "data" / "warehouse.duckdb"))
    assert (settings.trailing_days, settings.refresh_days, settings.rate_limit, settings.max_concurrency) == (3, 3, None, 32)
    assert settings.internal_domains == ()


def test_every_variable_is_read(monkeypatch, tmp_path):
    settings = settings_from(
        monkeypatch,
        RELATE_API_KEY="key-1",
        RELATE_API_BASE_URL="http://127.0.0.1:9/v1/",
        RELATE_TIMEZONE="Asia/Seoul",
        RELATE_START_DATE="2026-01-02",
        RELATE_DATA_DIR=str(tmp_path / "d"),
        RELATE_WAREHOUSE_PATH=str(tmp_path / "w" / "x.duckdb"),
        RELATE_INTERNAL_DOMAINS=" Relate.so, @relate.kr ,relate.so",
        RELATE_TRAILING_DAYS="0",
        RELATE_REFRESH_DAYS="5",
        RELATE_RATE_LIMIT="2.5",
        RELATE_MAX_CONCURRENCY="4",
    )
    assert settings.api_key.get_secret_value() == "key-1" and "key-1" not in repr(settings)
    assert (settings.api_base_url, settings.timezone.key, settings.start_date) == ("http://127.0.0.1:9/v1", "Asia/Seoul", date(2026, 1, 2))
    assert (settings.data_dir, settings.warehouse_path) == (str(tmp_path / "d"), str(tmp_path / "w" / "x.duckdb"))
    assert settings.internal_domains == ("relate.so", "relate.kr")
    assert (settings.trailing_days, settings.refresh_days, settings.rate_limit, settings.max_concurrency) == (0, 5, 2.5, 4)


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("RELATE_MAX_CONCURRENCY", "abc", "RELATE_MAX_CONCURRENCY must be a whole number of requests >= 1, got 'abc'"),
        ("RELATE_MAX_CONCURRENCY", "0", "RELATE_MAX_CONCURRENCY must be a whole number of requests >= 1, got '0'"),
        ("RELATE_RATE_LIMIT", "0", "RELATE_RATE_LIMIT must be a positive number of requests per second"),
        ("RELATE_RATE_LIMIT", "-2", "RELATE_RATE_LIMIT must be a positive number of requests per second"),
        ("RELATE_RATE_LIMIT", "fast", "RELATE_RATE_LIMIT must be a positive number of requests per second"),
        ("RELATE_RATE_LIMIT", "nan", "RELATE_RATE_LIMIT must be a positive number of requests per second"),
        ("RELATE_RATE_LIMIT", "inf", "RELATE_RATE_LIMIT must be a positive number of requests per second"),
        ("RELATE_TRAILING_DAYS", "-1", "RELATE_TRAILING_DAYS must be a whole number of days >= 0, got '-1'"),
        ("RELATE_TRAILING_DAYS", "1.5", "RELATE_TRAILING_DAYS must be a whole number of days >= 0, got '1.5'"),
        ("RELATE_REFRESH_DAYS", "x", "RELATE_REFRESH_DAYS must be a whole number of days >= 0, got 'x'"),
        ("RELATE_TIMEZONE", "Mars/Olympus", "RELATE_TIMEZONE must be an IANA time zone such as 'UTC' or 'Asia/Seoul', got 'Mars/Olympus'"),
        ("RELATE_START_DATE", "2026/01/01", "RELATE_START_DATE must be a date written YYYY-MM-DD, got '2026/01/01'"),
        ("RELATE_START_DATE", (date.today() + timedelta(days=3)).isoformat(), "is in the future"),
        ("RELATE_API_BASE_URL", "ftp://api.relate.so/v1", "RELATE_API_BASE_URL must start with http:// or https://"),
        ("RELATE_API_BASE_URL", "api.relate.so/v1", "RELATE_API_BASE_URL must start with http:// or https://"),
        ("RELATE_API_BASE_URL", "https:///v1", "RELATE_API_BASE_URL has no host, got 'https:///v1'"),
        ("RELATE_API_BASE_URL", "https://api.relate.so/v1?x=1", "RELATE_API_BASE_URL must not carry a query or fragment"),
        ("RELATE_API_BASE_URL", "https://api.relate.so:99999/v1", "RELATE_API_BASE_URL has an invalid port"),
        ("RELATE_DATA_DIR", "ftpx://bucket/prefix", "RELATE_DATA_DIR must be a local path or a URL of an installed fsspec filesystem"),
        ("RELATE_WAREHOUSE_PATH", "s3://bucket/warehouse.duckdb", "RELATE_WAREHOUSE_PATH must be a local file path"),
        ("RELATE_INTERNAL_DOMAINS", "relate.so,someone@relate.so", "RELATE_INTERNAL_DOMAINS must be e-mail domains separated by commas"),
        *(
            ("RELATE_RETENTION_DAYS", value, f"RELATE_RETENTION_DAYS must be a positive whole number of days (unset: keep forever), got '{value}'")
            for value in ("0", "-3", "7.5", "a week")
        ),
        ("RELATE_KEEP_TRANSCRIPT_TEXT", "maybe", "RELATE_KEEP_TRANSCRIPT_TEXT must be true or false, got 'maybe'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch, variable, value, message):
    assert message in rejection(monkeypatch, **{variable: value})


def test_a_data_dir_under_a_file_is_rejected_without_creating_anything(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    message = rejection(monkeypatch, RELATE_DATA_DIR=str(tmp_path / "file" / "data"))
    assert message.startswith("RELATE_DATA_DIR must be a folder, but ") and "file is a file" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_key_with_whitespace_is_rejected_without_echoing_it(monkeypatch):
    message = rejection(monkeypatch, RELATE_API_KEY="sk-secret part")
    assert message.startswith("RELATE_API_KEY contains whitespace")
    assert "sk-secret" not in message


@pytest.mark.parametrize("url", ["https://user:sk-secret@api.relate.so/v1", "ftp://user:sk-secret@api.relate.so/v1"])
def test_a_base_url_with_credentials_is_rejected_without_echoing_them(monkeypatch, url):
    message = rejection(monkeypatch, RELATE_API_BASE_URL=url)
    assert message == "RELATE_API_BASE_URL must not embed credentials; set the key as RELATE_API_KEY instead"


def test_a_remote_data_dir_puts_the_warehouse_in_the_working_directory_and_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.chdir(tmp_path)
    settings = settings_from(monkeypatch, RELATE_DATA_DIR="s3://bucket/prefix/")
    with caplog.at_level(logging.WARNING, logger="relate_pipeline.settings"):
        path = settings.warehouse_path
    assert (settings.data_dir, settings.lake_root, path) == ("s3://bucket/prefix", "s3://bucket/prefix/lake", str(tmp_path / "warehouse.duckdb"))
    assert "RELATE_WAREHOUSE_PATH" in caplog.text


def test_the_client_gets_the_key_url_rate_and_concurrency_from_the_settings(monkeypatch):
    settings = settings_from(
        monkeypatch, RELATE_API_KEY="k", RELATE_API_BASE_URL="http://127.0.0.1:9/v1/", RELATE_RATE_LIMIT="3", RELATE_MAX_CONCURRENCY="5"
    )
    client = settings.client_settings(max_retries=1)
    assert (client.api_key, client.base_url, client.rate_limit, client.max_concurrency) == ("k", "http://127.0.0.1:9/v1", 3.0, 5)
    assert client.max_retries == 1


def test_the_cli_prints_a_rejection_in_one_line_before_creating_anything(tmp_path):
    """Without RELATE_API_KEY the settings hold, but the API cannot be asked: the CLI says which variable to set."""
    data_dir = tmp_path / "data"
    result = run_cli("run", "--start", "2026-05-18", "--end", "2026-05-18", env={"RELATE_DATA_DIR": str(data_dir)})
    assert result.returncode == 2
    assert result.stderr == "relate-pipeline: error: no Relate API key: set the RELATE_API_KEY environment variable\n"
    assert list(tmp_path.iterdir()) == []
