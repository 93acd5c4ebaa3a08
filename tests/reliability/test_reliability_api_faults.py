"""Whole Dagster range runs under API faults land exactly the fault-free lake, raw store and warehouse;
faults that outlast every retry fail the run with a specific error and leave the previous data untouched.
"""

from __future__ import annotations

import shutil

import pytest
from dagster import materialize

from assets.automation import range_tags
from assets.resources import Lakehouse, LookBack, RelateApi
from relate_pipeline.client import AuthenticationError, ServerError
from tests.pipeline.conftest import ALL_ASSETS, PipelineHarness
from tests.reliability.reliability_support import (
    FIRST,
    LAST,
    TunedRelateApi,
    fingerprints,
    lake_contents,
    raw_contents,
    warehouse_contents,
)


def run_under_faults(emulator, data_dir, api: RelateApi | None = None) -> tuple[PipelineHarness, object]:
    harness = PipelineHarness(emulator, data_dir)
    if api is not None:
        harness.api = api
    result = harness.run(FIRST, LAST)
    assert result.success
    return harness, result


def assert_equals_baseline(harness: PipelineHarness, baseline) -> None:
    assert lake_contents(harness.lake) == baseline.lake
    assert raw_contents(harness.lakehouse.raw) == baseline.raw
    assert warehouse_contents(harness.warehouse_path) == baseline.warehouse


def client_count(result, counter: str) -> int:
    """A client counter summed over the run's two API clients (meetings and CRM)."""
    metadata = {
        event.event_specific_data.materialization.asset_key.to_user_string(): event.event_specific_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    return metadata["raw_meetings"][counter].value + metadata["crm_snapshots"][counter].value


def test_429_storm_with_retry_after_lands_the_fault_free_result(reliability_emulator, faults, baseline, tmp_path):
    faults.set_faults(rate_limit=10)
    harness, result = run_under_faults(reliability_emulator, tmp_path / "data")
    assert faults.stats()["rate_limited"] == client_count(result, "api_rate_limited") > 0
    assert_equals_baseline(harness, baseline)


def test_five_percent_server_errors_land_the_fault_free_result(reliability_emulator, faults, baseline, tmp_path):
    faults.set_faults(error_rate=0.05, error_statuses=[500, 502, 503, 504], max_page_size=3)
    harness, result = run_under_faults(reliability_emulator, tmp_path / "data")
    assert faults.stats()["injected_errors"] == client_count(result, "api_server_errors") > 0
    assert_equals_baseline(harness, baseline)


def test_latency_spikes_beyond_the_read_timeout_land_the_fault_free_result(
    reliability_emulator, faults, baseline, tmp_path
):
    faults.set_faults(latency_ms=5, latency_jitter_ms=20, spike_rate=0.2, spike_ms=1000)
    api = TunedRelateApi(base_url=reliability_emulator.base_url, api_key=reliability_emulator.api_key, timeout=0.4,
                         backoff_base=0.1)
    harness, result = run_under_faults(reliability_emulator, tmp_path / "data", api)
    assert client_count(result, "api_transport_errors") > 0
    assert_equals_baseline(harness, baseline)


def test_dropped_connections_land_the_fault_free_result(reliability_emulator, faults, baseline, tmp_path):
    faults.set_faults(drop_rate=0.08)
    harness, result = run_under_faults(reliability_emulator, tmp_path / "data")
    assert faults.stats()["dropped"] > 0 and client_count(result, "api_transport_errors") > 0
    assert_equals_baseline(harness, baseline)


@pytest.fixture
def previous_data(baseline, tmp_path):
    """A copy of the fault-free data directory, standing for what earlier runs left behind."""
    data_dir = tmp_path / "data"
    shutil.copytree(baseline.data_dir, data_dir)
    return data_dir


def failing_run(emulator, data_dir, api: RelateApi):
    domains = emulator.admin.snapshot()["internal_domains"]
    with pytest.raises(Exception) as caught:
        materialize(
            ALL_ASSETS,
            resources={
                "relate_api": api,
                "lakehouse": Lakehouse(data_dir=str(data_dir), internal_domains=domains),
                "look_back": LookBack(),
            },
            tags=range_tags(FIRST, LAST),
        )
    return caught.value


def test_server_errors_outlasting_retries_fail_the_run_naming_them_and_keep_the_previous_data(
    reliability_emulator, faults, previous_data
):
    before = fingerprints(previous_data)
    faults.set_faults(error_rate=1.0)
    api = TunedRelateApi(base_url=reliability_emulator.base_url, api_key=reliability_emulator.api_key,
                         max_retries=1, backoff_base=0.01)
    error = failing_run(reliability_emulator, previous_data, api)
    assert isinstance(error, ServerError)
    assert "-> HTTP 50" in str(error) and "injected fault" in str(error)
    assert fingerprints(previous_data) == before


def test_rejected_key_fails_the_run_with_401_unretried_and_keeps_the_previous_data(
    reliability_emulator, faults, previous_data
):
    before = fingerprints(previous_data)
    api = RelateApi(base_url=reliability_emulator.base_url, api_key="sk-rejected-4f1c")
    error = failing_run(reliability_emulator, previous_data, api)
    assert isinstance(error, AuthenticationError) and error.status == 401
    stats = faults.stats()
    assert stats["statuses"] == {"401": stats["total_requests"]}
    assert all(count == 1 for count in stats["requests"].values()), stats["requests"]
    assert fingerprints(previous_data) == before
