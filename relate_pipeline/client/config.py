"""Client settings: one frozen value object, validated on construction.

Validation happens here rather than at first request so a misconfigured deployment fails at
start-up with a message naming the setting, not minutes later inside a retry loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from relate_pipeline.client.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.relate.so/v1"
BASE_URL_ENV = "RELATE_API_BASE_URL"
API_KEY_ENV = "RELATE_API_KEY"
RATE_LIMIT_ENV = "RELATE_RATE_LIMIT"
_RATE_LIMIT_HINT = (
    f" (requests/second, as {RATE_LIMIT_ENV}; leave it unset to let the client find the limit)"
)


@dataclass(frozen=True, kw_only=True)
class ClientSettings:
    """Connection, retry, rate and concurrency knobs shared by the sync and async clients.

    `api_key` is excluded from repr (and so from str) because settings objects end up in logs
    and Dagster run metadata.
    """

    base_url: str = DEFAULT_BASE_URL
    api_key: str = field(repr=False)
    timeout: float = 30.0
    connect_timeout: float = 10.0
    max_retries: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_cap: float = 120.0
    rate_limit: float | None = None
    """A fixed ceiling in requests/second, or None (the default): no ceiling. Either way the
    process-wide gate finds the server's own limit and paces below it (ratelimit.py)."""
    max_concurrency: int = 32
    """Requests in flight at once; 32 is where the fetch curve stops tracking the latency bound
    on two cores ("Fetch" in docs/benchmarks.md). A concurrency cap does not bound a rate: the
    gate does that."""
    page_size: int = 100

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", _checked_base_url(self.base_url))
        _check_api_key(self.api_key)
        for name in ("timeout", "connect_timeout", "backoff_max", "retry_after_cap"):
            _check_positive(name, getattr(self, name))
        _check_non_negative("backoff_base", self.backoff_base)
        if self.rate_limit is not None:
            _check_positive("rate_limit", self.rate_limit, hint=_RATE_LIMIT_HINT)
        _check_int("max_retries", self.max_retries, minimum=0)
        for name in ("max_concurrency", "page_size"):
            _check_int(name, getattr(self, name), minimum=1)

    @classmethod
    def from_env(cls, **overrides: Any) -> ClientSettings:
        """Read RELATE_API_BASE_URL (default: the real API) and RELATE_API_KEY; overrides win."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigurationError(f"unknown client setting(s): {', '.join(unknown)}")
        values: dict[str, Any] = {"base_url": os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL}
        env_key = os.environ.get(API_KEY_ENV)
        if env_key:
            values["api_key"] = env_key
        values.update(overrides)
        if not values.get("api_key"):
            raise ConfigurationError(
                f"no Relate API key: set the {API_KEY_ENV} environment variable or pass api_key"
            )
        return cls(**values)


def _checked_base_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("base_url must be a non-empty http(s) URL")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https"):
        raise ConfigurationError(f"base_url must start with http:// or https://, got {value!r}")
    if not parts.hostname:
        raise ConfigurationError(f"base_url has no host: {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            "base_url must not embed credentials; pass the key as api_key instead"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"base_url must not carry a query or fragment: {value!r}")
    try:
        parts.port
    except ValueError:
        raise ConfigurationError(f"base_url has an invalid port: {value!r}") from None
    return value.strip().rstrip("/")


def _check_api_key(value: Any) -> None:
    """Reject keys that would be mangled in a header; the message never echoes the key."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError("api_key must be a non-empty string")
    if not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
        raise ConfigurationError(
            "api_key contains whitespace or non-printable/non-ASCII characters"
        )


def _check_positive(name: str, value: Any, hint: str = "") -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not value > 0
        or value == float("inf")
    ):
        raise ConfigurationError(f"{name} must be a positive number{hint}, got {value!r}")


def _check_non_negative(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ConfigurationError(f"{name} must be a number >= 0, got {value!r}")


def _check_int(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(f"{name} must be an integer >= {minimum}, got {value!r}")
