"""Client settings: one frozen value object the clients receive.

The values come from :class:`relate_pipeline.settings.PipelineSettings`, which reads and checks
every ``RELATE_*`` variable once, at start-up; the client itself reads no environment and holds
no second copy of those checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.relate.so/v1"


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
