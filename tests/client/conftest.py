"""Client-test fixtures: settings aimed at an emulator, with retry waits shrunk for speed."""

from __future__ import annotations

import pytest

from relate_pipeline.client import ClientSettings, RelateClient
from relate_pipeline.emulator import EmulatorProcess
from tests.support.writing_client import WritingRelateClient


def _settings(emulator, **overrides) -> ClientSettings:
    values = {
        "base_url": emulator.base_url,
        "api_key": emulator.api_key,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "timeout": 10.0,
        "connect_timeout": 5.0,
    }
    values.update(overrides)
    return ClientSettings(**values)


@pytest.fixture
def settings_for():
    """`settings_for(emulator, **overrides)`: fast-retry settings pointed at that emulator."""
    return _settings


@pytest.fixture
def client(emulator):
    """A sync client on the shared, read-only session emulator."""
    with RelateClient(_settings(emulator)) as sync_client:
        yield sync_client


@pytest.fixture(scope="module")
def crm_emulator():
    """A private emulator per module for tests that write, so the session one stays pristine."""
    with EmulatorProcess(
        seed=11, days=2, end_date="2026-05-20", meetings_per_day=6, contacts=30, organizations=8
    ) as emulator:
        yield emulator


@pytest.fixture
def crm_client(crm_emulator):
    """A sync client that also writes, on the module's private emulator."""
    with WritingRelateClient(_settings(crm_emulator)) as sync_client:
        yield sync_client
