"""What a response says about the server's rate limit, read from its headers.

Two families are in use: the IETF draft's `RateLimit-Policy` / `RateLimit-Limit`,
`RateLimit-Remaining`, `RateLimit-Reset`, and the older `X-RateLimit-*` triple. Only a policy
names a window, so only `RateLimit-Policy` (`10;w=1`, or the newer `"name";q=10;w=1`) gives a
rate; `Remaining` says how many more requests the server would let through at once, and
`Remaining: 0` with a `Reset` from either family says how long the quota is spent. Anything
unreadable is ignored: a header can make the client slower, never crash it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

_POLICY_ITEM = re.compile(r"^\s*(?:\"[^\"]*\"|(\d+(?:\.\d+)?))\s*((?:;[^;,]*)*)")
_PARAM = re.compile(r";\s*([a-z]+)\s*=\s*\"?(\d+(?:\.\d+)?)\"?", re.IGNORECASE)
# An X-RateLimit-Reset this large is a Unix time (GitHub's style), not delta-seconds.
_EPOCH_THRESHOLD = 1_000_000_000


def announced_rate(headers: Mapping[str, str]) -> float | None:
    """Requests per second the strictest `RateLimit-Policy` item allows, or None."""
    value = headers.get("RateLimit-Policy")
    if not value:
        return None
    rates = []
    for item in value.split(","):
        match = _POLICY_ITEM.match(item)
        if match is None:
            continue
        params = {name.lower(): float(number) for name, number in _PARAM.findall(match.group(2))}
        quota = float(match.group(1)) if match.group(1) else params.get("q")
        window = params.get("w")
        if quota and window and quota > 0 and window > 0 and math.isfinite(quota / window):
            rates.append(quota / window)
    return min(rates) if rates else None


def remaining_quota(headers: Mapping[str, str]) -> float | None:
    """Requests the server says it would still let through now (either family), or None."""
    for prefix in ("RateLimit-", "X-RateLimit-"):
        remaining = _number(headers.get(prefix + "Remaining"))
        if remaining is not None:
            return remaining
    return None


def spent_for(headers: Mapping[str, str], now_unix: float) -> float | None:
    """Seconds until the quota refills when the response says none is left, else None."""
    for prefix in ("RateLimit-", "X-RateLimit-"):
        remaining = _number(headers.get(prefix + "Remaining"))
        reset = _number(headers.get(prefix + "Reset"))
        if remaining is None or reset is None or remaining > 0:
            continue
        if reset >= _EPOCH_THRESHOLD:
            reset -= now_unix
        return max(0.0, reset)
    return None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None
