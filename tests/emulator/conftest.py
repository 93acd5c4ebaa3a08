"""Fixtures for the emulator's own tests: an httpx client on the shared emulator, and a second, private
emulator for the CRM tests, which create, change and delete objects (each test makes its own)."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from emulator_support import api_client

from relate_pipeline.emulator import EmulatorProcess


@pytest.fixture(scope="session")
def api(emulator: EmulatorProcess) -> Iterator[httpx.Client]:
    with api_client(emulator) as client:
        yield client


@pytest.fixture(scope="session")
def truth(emulator: EmulatorProcess) -> dict:
    """The shared emulator's ground truth; tests that read it must not change that emulator."""
    return emulator.admin.snapshot()


@pytest.fixture(scope="session")
def writable() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(seed=11, days=2, end_date="2026-05-20", meetings_per_day=6, contacts=40, organizations=10) as process:
        yield process


@pytest.fixture(scope="session")
def crm(writable: EmulatorProcess) -> Iterator[httpx.Client]:
    with api_client(writable) as client:
        yield client
