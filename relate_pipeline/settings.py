"""Every ``RELATE_*`` setting, parsed and validated in one place before anything runs or is written.

Everything a deployment changes (where the data goes, which time zone a "day" is in, the
workspace's own e-mail domains, how hard to press the API) comes from environment variables so
the same code runs on a laptop, in CI and on Kubernetes without edits. The CLI, the code
location and the Dagster resources all start from :class:`PipelineSettings`, so a bad value fails
once, at start-up, with one line naming the variable and what it accepts.
"""

from __future__ import annotations

import logging
import math
import os
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from relate_pipeline.client.config import DEFAULT_BASE_URL, ClientSettings

DEFAULT_START_DATE = date(2025, 1, 1)
DEFAULT_TRAILING_DAYS = 3
DEFAULT_REFRESH_DAYS = 3
ENV_PREFIX = "RELATE_"

log = logging.getLogger(__name__)


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


def is_remote(location: str) -> bool:
    """A URL (``s3://bucket/prefix``) rather than a path on this machine."""
    return "://" in location and not location.startswith("file://")


def join(root: str, name: str) -> str:
    return f"{root.rstrip('/')}/{name}"


def lake_root(data_dir: str) -> str:
    """The lake's tables under ``RELATE_DATA_DIR``."""
    return join(data_dir, "lake")


def raw_root(data_dir: str) -> str:
    """The raw store under ``RELATE_DATA_DIR``."""
    return join(data_dir, "raw")


def warehouse_path(data_dir: str, warehouse_location: str | None) -> str:
    """``RELATE_WAREHOUSE_PATH``, else beside a local lake, else ``./warehouse.duckdb`` (said in the log)."""
    if warehouse_location is not None:
        return warehouse_location
    if not is_remote(data_dir):
        return join(data_dir, "warehouse.duckdb")
    path = os.path.abspath("warehouse.duckdb")
    log.warning(
        "RELATE_DATA_DIR is remote (%s), so the DuckDB file is %s; set RELATE_WAREHOUSE_PATH to place it elsewhere",
        data_dir,
        path,
    )
    return path


def _reject(accepts: str, value: Any) -> PydanticCustomError:
    """The error a field validator raises: ``accepts`` reads after the variable's name."""
    return PydanticCustomError("relate_setting", "{accepts}, got {value}", {"accepts": accepts, "value": repr(value)})


def _whole_number(value: Any, minimum: int, unit: str) -> int:
    text = str(value).strip()
    if not text.lstrip("-").isdigit() or int(text) < minimum:
        raise _reject(f"must be a whole number of {unit} >= {minimum}", value)
    return int(text)


class PipelineSettings(BaseSettings):
    """The pipeline's configuration; build it with :meth:`from_env`.

    ``api_key`` is a ``SecretStr`` so the settings object can be logged or shown without the key.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True, arbitrary_types_allowed=True)

    api_key: SecretStr | None = None
    api_base_url: str = DEFAULT_BASE_URL
    timezone: ZoneInfo = ZoneInfo("UTC")
    start_date: date = DEFAULT_START_DATE
    data_dir: str = "data"
    warehouse_location: str | None = Field(
        default=None, validation_alias=AliasChoices("RELATE_WAREHOUSE_PATH", "warehouse_location")
    )
    internal_domains: Annotated[tuple[str, ...], NoDecode] = ()
    trailing_days: int = DEFAULT_TRAILING_DAYS
    refresh_days: int = DEFAULT_REFRESH_DAYS
    rate_limit: float | None = None
    max_concurrency: int = ClientSettings.max_concurrency
    retention_days: int | None = None
    keep_transcript_text: bool = True
    dagster_home: str | None = Field(default=None, validation_alias=AliasChoices("DAGSTER_HOME", "dagster_home"))
    """Dagster's own variable, read here too so the CLI knows whether a deployment chose the instance."""
    trackers_file: str | None = None

    @field_validator("api_key", mode="before")
    @classmethod
    def _api_key(cls, value: Any) -> SecretStr | None:
        if value is None or value == "":
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if not text.isascii() or not text.isprintable() or any(character.isspace() for character in text):
            # A key that would be mangled in a header; the message never echoes it.
            raise PydanticCustomError("relate_setting", "contains whitespace or non-printable/non-ASCII characters")
        return SecretStr(text)

    @field_validator("api_base_url", mode="before")
    @classmethod
    def _base_url(cls, value: Any) -> str:
        text = str(value).strip()
        parts = urlsplit(text)
        if parts.username is not None or parts.password is not None:
            # Checked first, so no message below echoes a URL that holds a password.
            raise PydanticCustomError("relate_setting", "must not embed credentials; set the key as RELATE_API_KEY instead")
        if parts.scheme not in ("http", "https"):
            raise _reject("must start with http:// or https://", value)
        if not parts.hostname:
            raise _reject("has no host", value)
        if parts.query or parts.fragment:
            raise _reject("must not carry a query or fragment", value)
        try:
            parts.port
        except ValueError:
            raise _reject("has an invalid port", value) from None
        return text.rstrip("/")

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> ZoneInfo:
        if isinstance(value, ZoneInfo):
            return value
        try:
            return ZoneInfo(str(value).strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise _reject("must be an IANA time zone such as 'UTC' or 'Asia/Seoul'", value) from None

    @field_validator("start_date", mode="before")
    @classmethod
    def _start_date(cls, value: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise _reject("must be a date written YYYY-MM-DD", value) from None

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: Any) -> str:
        location = str(value).strip()
        if not location:
            raise _reject("must be a local path or an fsspec URL such as s3://bucket/prefix", value)
        if is_remote(location):
            import fsspec

            scheme = location.split("://", 1)[0]
            try:
                fsspec.get_filesystem_class(scheme)
            except (ValueError, ImportError):
                raise _reject(
                    "must be a local path or a URL of an installed fsspec filesystem (s3:// is; gs:// and az:// "
                    "need gcsfs and adlfs)",
                    value,
                ) from None
            return location.rstrip("/")
        path = Path(location.removeprefix("file://")).expanduser().absolute()
        _check_writable_directory(path, value)
        return str(path)

    @field_validator("warehouse_location", mode="before")
    @classmethod
    def _warehouse_path(cls, value: Any) -> str | None:
        if value is None or str(value).strip() == "":
            return None
        if "://" in str(value):
            raise _reject("must be a local file path (DuckDB writes its file on this machine)", value)
        path = Path(str(value).strip()).expanduser().absolute()
        if path.is_dir():
            raise _reject("must be a file path, not a directory", value)
        _check_writable_directory(path.parent, value)
        return str(path)

    @field_validator("dagster_home", mode="before")
    @classmethod
    def _dagster_home(cls, value: Any) -> str | None:
        return None if value is None or str(value).strip() == "" else str(value)

    @field_validator("internal_domains", mode="before")
    @classmethod
    def _internal_domains(cls, value: Any) -> tuple[str, ...]:
        entries = value.split(",") if isinstance(value, str) else list(value)
        domains = []
        for entry in entries:
            domain = str(entry).strip().lower().lstrip("@")
            if not domain:
                continue
            if "@" in domain or " " in domain or "." not in domain:
                raise _reject("must be e-mail domains separated by commas, such as 'acme.com,acme.io'", entry)
            if domain not in domains:
                domains.append(domain)
        return tuple(domains)

    @field_validator("trailing_days", "refresh_days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> int:
        return _whole_number(value, 0, "days")

    @field_validator("max_concurrency", mode="before")
    @classmethod
    def _max_concurrency(cls, value: Any) -> int:
        return _whole_number(value, 1, "requests")

    @field_validator("retention_days", mode="before")
    @classmethod
    def _retention_days(cls, value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if not text.isdigit() or int(text) < 1:
            raise _reject("must be a positive whole number of days (unset: keep forever)", value)
        return int(text)

    @field_validator("keep_transcript_text", mode="before")
    @classmethod
    def _keep_transcript_text(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", ""):
            return True
        if text in ("false", "0", "no"):
            return False
        raise _reject("must be true or false", value)

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _rate_limit(cls, value: Any) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            rate = float(value)
        except (TypeError, ValueError):
            rate = math.nan
        if not (math.isfinite(rate) and rate > 0):
            raise _reject("must be a positive number of requests per second (unset: adaptive)", value)
        return rate

    @field_validator("trackers_file", mode="before")
    @classmethod
    def _trackers_file(cls, value: Any) -> str | None:
        """The file must hold valid trackers at start-up, so a bad one stops everything before a write."""
        from relate_pipeline.meetings.trackers import TrackerFileError, load_trackers

        if value is None or str(value).strip() == "":
            return None
        path = str(Path(str(value).strip()).expanduser().absolute())
        try:
            load_trackers(path)
        except TrackerFileError as error:
            raise PydanticCustomError("relate_setting", "names a file that cannot be used: {problem}", {"problem": str(error)}) from None
        return path

    @model_validator(mode="after")
    def _start_date_not_in_future(self) -> PipelineSettings:
        today = datetime.now(self.timezone).date()
        if self.start_date > today:
            raise ValueError(f"RELATE_START_DATE {self.start_date} is in the future (today is {today} in {self.timezone.key})")
        return self

    @classmethod
    def from_env(cls, **overrides: Any) -> PipelineSettings:
        """Read every ``RELATE_*`` variable; keyword arguments win over the environment.

        Raises :class:`SettingsError` with one line naming the first bad variable.
        """
        try:
            return cls(**overrides)
        except ValidationError as error:
            raise SettingsError(_one_line(error)) from None

    # ------------------------------------------------------------ derived
    @property
    def names_an_api(self) -> bool:
        """Whether ``RELATE_API_KEY`` or ``RELATE_API_BASE_URL`` was set at all (else the UI may start an emulator)."""
        return bool({"api_key", "api_base_url"} & self.model_fields_set)

    @property
    def remote(self) -> bool:
        return is_remote(self.data_dir)

    @property
    def lake_root(self) -> str:
        return lake_root(self.data_dir)

    @property
    def raw_root(self) -> str:
        return raw_root(self.data_dir)

    @cached_property
    def warehouse_path(self) -> str:
        return warehouse_path(self.data_dir, self.warehouse_location)

    @property
    def local_state_dir(self) -> str:
        """Where files that must stay on this machine go: the data dir, or the working directory for a remote one."""
        return os.getcwd() if self.remote else self.data_dir

    def client_settings(self, **overrides: Any) -> ClientSettings:
        """The API client's settings; ``overrides`` set the client's own knobs (retries, timeouts).

        Raises :class:`SettingsError` when ``RELATE_API_KEY`` is not set: reading the lake needs no
        key, talking to the API does.
        """
        if self.api_key is None:
            raise SettingsError("no Relate API key: set the RELATE_API_KEY environment variable")
        return ClientSettings(
            base_url=self.api_base_url,
            api_key=self.api_key.get_secret_value(),
            rate_limit=self.rate_limit,
            max_concurrency=self.max_concurrency,
            **overrides,
        )


def _check_writable_directory(path: Path, value: Any) -> None:
    """The nearest existing folder must be a folder this process may create files in; nothing is created."""
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise _reject(f"must be a folder, but {existing} is a file", value)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _reject(f"must be writable, but {existing} is not writable by this user", value)


def _one_line(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    if not first["loc"]:
        return first["msg"].removeprefix("Value error, ")
    field = str(first["loc"][0])
    variable = field if field.startswith(ENV_PREFIX) else f"{ENV_PREFIX}{field.upper()}"
    return f"{variable} {first['msg']}"
