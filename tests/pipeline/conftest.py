"""Fixtures for end-to-end Dagster runs against the emulator."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize

from assets.automation import range_tags
from assets.crm import crm_snapshots
from assets.meetings import meetings
from assets.resources import Lakehouse, LookBack, RelateApi
from assets.warehouse import warehouse
from relate_pipeline.lake import Lake

ALL_ASSETS = [meetings, crm_snapshots, warehouse]


class PipelineHarness:
    """One data directory wired to one emulator; runs the real assets through Dagster."""

    def __init__(self, emulator, data_dir: Path):
        self.emulator = emulator
        self.data_dir = data_dir
        self.instance = DagsterInstance.ephemeral()
        domains = emulator.admin.snapshot()["internal_domains"]
        self.lakehouse = Lakehouse(data_dir=str(data_dir), internal_domains=domains)
        self.api = RelateApi(base_url=emulator.base_url, api_key=emulator.api_key)
        self.look_back = LookBack()

    @property
    def lake(self) -> Lake:
        return self.lakehouse.lake

    @property
    def warehouse_path(self) -> str:
        return self.lakehouse.warehouse_file

    @property
    def resources(self) -> dict:
        return {"relate_api": self.api, "lakehouse": self.lakehouse, "look_back": self.look_back}

    def run(self, first: date, last: date, assets=ALL_ASSETS, raise_on_error: bool = True, selection=None,
            tags: dict | None = None, run_config: dict | None = None):
        return materialize(
            assets,
            selection=selection,
            resources=self.resources,
            instance=self.instance,
            tags={**range_tags(first, last), **(tags or {})},
            run_config=run_config,
            raise_on_error=raise_on_error,
        )


@pytest.fixture
def make_harness(tmp_path):
    def build(emulator, name: str = "data") -> PipelineHarness:
        return PipelineHarness(emulator, tmp_path / name)

    return build



@pytest.fixture
def small_workspace(make_emulator, make_harness):
    """Its own small emulator (see ``SMALL_WORKSPACE``), its three days already loaded once."""
    from tests.pipeline.workspace_support import SMALL_WORKSPACE, SMALL_WORKSPACE_DAYS

    emulator = make_emulator(**SMALL_WORKSPACE)
    harness = make_harness(emulator)
    assert harness.run(*SMALL_WORKSPACE_DAYS).success
    return emulator, harness
