"""One emulator and one fault-free range run shared by the fault cases that only read the workspace.

Every fault case runs the same three days against the same seeded workspace, so the fault-free run
is computed once and each case compares its whole lake, raw store and warehouse with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from relate_pipeline.emulator import EmulatorProcess
from tests.pipeline.conftest import PipelineHarness
from tests.reliability.reliability_support import (
    CANARY_KEY,
    FIRST,
    LAST,
    RELIABILITY_EMULATOR,
    lake_contents,
    raw_contents,
    restored,
    warehouse_contents,
)


@dataclass(frozen=True)
class Baseline:
    """A fault-free range run: where it landed and what it holds."""

    harness: PipelineHarness
    lake: dict[str, list[str]]
    raw: dict[str, list[str]]
    warehouse: dict[str, list[str]]

    @property
    def data_dir(self) -> Path:
        return self.harness.data_dir


@pytest.fixture(scope="session")
def reliability_emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(api_key=CANARY_KEY, **RELIABILITY_EMULATOR) as process:
        yield process


@pytest.fixture
def faults(reliability_emulator):
    """The shared emulator's admin, reset before and after the test (see `restored`)."""
    with restored(reliability_emulator) as emulator:
        yield emulator.admin


@pytest.fixture(scope="session")
def baseline(reliability_emulator, tmp_path_factory) -> Baseline:
    harness = PipelineHarness(reliability_emulator, tmp_path_factory.mktemp("baseline") / "data")
    result = harness.run(FIRST, LAST)
    assert result.success
    return Baseline(harness, lake_contents(harness.lake), raw_contents(harness.lakehouse.raw),
                    warehouse_contents(harness.warehouse_path))
