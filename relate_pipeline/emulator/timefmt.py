"""Timestamp rendering in the API's style: millisecond precision, `Z` for UTC, `+HH:MM` for local times.

Every instant the emulator keeps is truncated to whole milliseconds, so a timestamp a client reads
back and turns into an `updated_after` filter compares equal to the stored value, never just below it.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def to_millis(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no UTC offset")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def iso_utc(moment: dt.datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def offset_suffix(offset_minutes: int) -> str:
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def iso_local(moment: dt.datetime, offset_minutes: int) -> str:
    local = moment.astimezone(dt.timezone(dt.timedelta(minutes=offset_minutes)))
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + offset_suffix(offset_minutes)


def parse_instant(text: str) -> dt.datetime:
    """An ISO-8601 timestamp that must carry an offset (`Z` or `+HH:MM`)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{text!r} is not an ISO-8601 timestamp") from exc
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return to_millis(moment)


def epoch_micros(moment: dt.datetime) -> int:
    """Integer microseconds since the epoch: exact comparisons against Unix-second query filters."""
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
