"""ClientSettings: validation with clear errors, environment loading, and a key that never shows."""

import pytest

from relate_pipeline.client import ClientSettings, ConfigurationError

KEY = "sk-live-abcdef123456"


def test_from_env_reads_key_and_defaults_to_the_real_api(monkeypatch):
    monkeypatch.setenv("RELATE_API_KEY", KEY)
    monkeypatch.delenv("RELATE_API_BASE_URL", raising=False)
    settings = ClientSettings.from_env()
    assert (settings.base_url, settings.api_key) == ("https://api.relate.so/v1", KEY)


def test_from_env_reads_base_url_and_strips_trailing_slash(monkeypatch):
    monkeypatch.setenv("RELATE_API_KEY", KEY)
    monkeypatch.setenv("RELATE_API_BASE_URL", "http://127.0.0.1:8080/v1/")
    assert ClientSettings.from_env().base_url == "http://127.0.0.1:8080/v1"


def test_from_env_overrides_win_over_environment(monkeypatch):
    monkeypatch.setenv("RELATE_API_KEY", KEY)
    settings = ClientSettings.from_env(api_key="other-key", max_concurrency=4)
    assert (settings.api_key, settings.max_concurrency) == ("other-key", 4)


def test_from_env_without_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("RELATE_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="RELATE_API_KEY"):
        ClientSettings.from_env()


def test_from_env_rejects_unknown_setting_names(monkeypatch):
    monkeypatch.setenv("RELATE_API_KEY", KEY)
    with pytest.raises(ConfigurationError, match="unknown client setting.*concurrency"):
        ClientSettings.from_env(concurrency=4)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://api.relate.so/v1", "must start with http:// or https://"),
        ("api.relate.so/v1", "must start with http:// or https://"),
        ("https:///v1", "has no host"),
        ("https://user:pw@api.relate.so/v1", "must not embed credentials"),
        ("https://api.relate.so/v1?x=1", "must not carry a query"),
        ("https://api.relate.so:99999/v1", "invalid port"),
    ],
)
def test_malformed_base_url_is_rejected_naming_the_problem(url, problem):
    with pytest.raises(ConfigurationError, match=problem):
        ClientSettings(api_key=KEY, base_url=url)


@pytest.mark.parametrize(
    ("field", "value"),
    [("timeout", 0), ("max_retries", -1), ("max_concurrency", 0), ("page_size", 1.5),
     ("rate_limit", -2.0), ("rate_limit", 0)],
)
def test_out_of_range_setting_is_rejected_naming_the_field(field, value):
    with pytest.raises(ConfigurationError, match=field):
        ClientSettings(api_key=KEY, **{field: value})


def test_key_with_whitespace_is_rejected_without_echoing_it():
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings(api_key="sk-live secret")
    assert "sk-live secret" not in str(caught.value)


def test_configuration_error_is_a_value_error():
    with pytest.raises(ValueError):
        ClientSettings(api_key="")


def test_key_absent_from_repr_and_str():
    settings = ClientSettings(api_key=KEY)
    assert KEY not in repr(settings)
    assert KEY not in str(settings)


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf")])
def test_a_rate_limit_that_is_not_a_positive_number_is_refused_naming_the_variable(value):
    with pytest.raises(ConfigurationError, match="RELATE_RATE_LIMIT") as caught:
        ClientSettings(api_key=KEY, rate_limit=value)
    assert "\n" not in str(caught.value)


def test_no_rate_limit_means_no_ceiling():
    assert ClientSettings(api_key=KEY).rate_limit is None
