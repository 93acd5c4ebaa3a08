"""Dagster resources: the only place where Dagster configuration meets the library.

The API resource is swappable (tests and the demo point it at the emulator; production at
the real service) and keeps the key in an ``EnvVar`` so it never shows in run config. Every
resource is built from :class:`PipelineSettings` (``resources_from_settings``), so every value it
holds was validated there; no resource reads the environment again.
"""

from __future__ import annotations

from dagster import ConfigurableResource, EnvVar

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient
from relate_pipeline.client.config import DEFAULT_BASE_URL
from relate_pipeline.lake import Lake
from relate_pipeline.settings import (
    DEFAULT_REFRESH_DAYS,
    DEFAULT_TRAILING_DAYS,
    PipelineSettings,
    lake_root,
    raw_root,
    warehouse_path,
)


class RelateApi(ConfigurableResource):
    """Connection to a Relate workspace (the real API or the emulator)."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str
    rate_limit: float | None = None
    max_concurrency: int = ClientSettings.max_concurrency

    def client_settings(self) -> ClientSettings:
        return ClientSettings(
            base_url=self.base_url,
            api_key=self.api_key,
            rate_limit=self.rate_limit,
            max_concurrency=self.max_concurrency,
        )

    def client(self) -> RelateClient:
        return RelateClient(self.client_settings())

    def async_client(self) -> AsyncRelateClient:
        return AsyncRelateClient(self.client_settings())


class Lakehouse(ConfigurableResource):
    """Where the lake, the raw store and the warehouse live.

    Days are cut by the partitions definition alone; nothing here repeats its time zone.
    ``warehouse_path`` empty means the settings' default (beside a local lake).
    """

    data_dir: str
    warehouse_path: str | None = None
    internal_domains: list[str] = []
    trackers_file: str | None = None
    """``RELATE_TRACKERS_FILE``: read when a run starts, so an edited file reaches the next run."""
    keep_transcript_text: bool = True
    """``RELATE_KEEP_TRANSCRIPT_TEXT``: false stores every transcript without its words (docs/governance.md)."""

    @property
    def lake(self) -> Lake:
        return Lake(lake_root(self.data_dir))

    @property
    def raw(self) -> Lake:
        return Lake(raw_root(self.data_dir))

    @property
    def warehouse_file(self) -> str:
        """The DuckDB file: ``warehouse_path``, else where the settings put it by default."""
        return warehouse_path(self.data_dir, self.warehouse_path)


class LookBack(ConfigurableResource):
    """How far back runs look: ``RELATE_TRAILING_DAYS``, ``RELATE_REFRESH_DAYS`` and ``RELATE_RETENTION_DAYS``."""

    trailing_days: int = DEFAULT_TRAILING_DAYS
    """Days before yesterday that the nightly run and the sensor list again."""
    refresh_days: int = DEFAULT_REFRESH_DAYS
    """Recordings that ended less than this many days ago are downloaded again on every run."""
    retention_days: int | None = None
    """Days before today − this many are purged on every run and never asked for again; None keeps every day."""


def resources_from_settings(settings: PipelineSettings) -> dict[str, ConfigurableResource]:
    """Resources as a deployment configures them: the key stays an ``EnvVar`` reference."""
    return {
        "relate_api": RelateApi(
            base_url=settings.api_base_url,
            api_key=EnvVar("RELATE_API_KEY"),
            rate_limit=settings.rate_limit,
            max_concurrency=settings.max_concurrency,
        ),
        "lakehouse": Lakehouse(
            data_dir=settings.data_dir,
            warehouse_path=settings.warehouse_location,
            internal_domains=list(settings.internal_domains),
            trackers_file=settings.trackers_file,
            keep_transcript_text=settings.keep_transcript_text,
        ),
        "look_back": LookBack(
            trailing_days=settings.trailing_days, refresh_days=settings.refresh_days, retention_days=settings.retention_days
        ),
    }
