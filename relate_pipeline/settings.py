"""Pipeline settings read once from the environment, validated before anything runs.

Everything a deployment changes (where the data goes, which time zone a "day" is in, the
workspace's own e-mail domains) comes from environment variables so the same code runs on a
laptop, in CI and on Kubernetes without edits. Bad values fail here, naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_START_DATE = date(2025, 1, 1)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise SettingsError(f"{what} must be a date written YYYY-MM-DD, got {text!r}") from None


def parse_timezone(name: str, what: str = "RELATE_TIMEZONE") -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{what} must be an IANA time zone such as 'UTC' or 'Asia/Seoul', got {name!r}") from None


@dataclass(frozen=True)
class PipelineSettings:
    timezone: ZoneInfo
    start_date: date
    data_dir: str
    internal_domains: tuple[str, ...]
    trailing_days: int
    refresh_days: int = 3

    @property
    def lake_root(self) -> str:
        return _join(self.data_dir, "lake")

    @property
    def raw_root(self) -> str:
        return _join(self.data_dir, "raw")

    @property
    def warehouse_path(self) -> str:
        return _join(self.data_dir, "warehouse.duckdb")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> PipelineSettings:
        trailing = environ.get("RELATE_TRAILING_DAYS", "3")
        if not trailing.isdigit():
            raise SettingsError(f"RELATE_TRAILING_DAYS must be a whole number of days, got {trailing!r}")
        refresh = environ.get("RELATE_REFRESH_DAYS", "3")
        if not refresh.isdigit():
            raise SettingsError(f"RELATE_REFRESH_DAYS must be a whole number of days, got {refresh!r}")
        start = environ.get("RELATE_START_DATE")
        domains = environ.get("RELATE_INTERNAL_DOMAINS", "")
        return cls(
            timezone=parse_timezone(environ.get("RELATE_TIMEZONE", "UTC")),
            start_date=parse_day(start, "RELATE_START_DATE") if start else DEFAULT_START_DATE,
            data_dir=_absolute(environ.get("RELATE_DATA_DIR", "data")),
            internal_domains=tuple(d.strip().lower() for d in domains.split(",") if d.strip()),
            trailing_days=int(trailing),
            refresh_days=int(refresh),
        )


def _absolute(location: str) -> str:
    """Local paths become absolute so DuckDB views keep working from any working directory."""
    return location if "://" in location else os.path.abspath(location)


def _join(root: str, name: str) -> str:
    return f"{root.rstrip('/')}/{name}"
