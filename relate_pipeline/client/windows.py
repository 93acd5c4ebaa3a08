"""Calendar-day windows in a local time zone, as the Unix-second bounds the API filters on.

A "day" is local midnight to local midnight, which is not always 24 hours: DST days are 23 or 25
hours, and in a few zones midnight itself is skipped or repeated. Computing the bounds through
zoneinfo (rather than adding 86 400 s per day) is what keeps a daily partition from losing or
double-counting the meetings of a DST day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def day_window(first_day: date, last_day: date, tz: str | ZoneInfo) -> tuple[int, int]:
    """`(starts_after, starts_before)` covering local days first_day..last_day inclusive.

    The lower bound is inclusive and the upper exclusive, matching `starts_after` /
    `starts_before`, so consecutive windows tile without gaps or overlaps. Midnight is taken
    with fold=0: where it falls in a DST gap that is the instant the day actually begins, where it
    repeats it is the first occurrence.
    """
    for name, value in (("first_day", first_day), ("last_day", last_day)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"{name} must be a datetime.date (not a datetime), got {value!r}")
    if last_day < first_day:
        raise ValueError(f"last_day {last_day} is before first_day {first_day}")
    zone = _zone(tz)
    start = datetime.combine(first_day, time(0), tzinfo=zone)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return int(start.timestamp()), int(end.timestamp())


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"tz must be an IANA time zone name or ZoneInfo, got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {tz!r} (expected an IANA name like 'Asia/Seoul')"
        ) from None
