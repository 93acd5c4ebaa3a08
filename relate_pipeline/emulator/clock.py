"""The emulator's controllable clock.

Recording status, event exposure and `updated_at` all derive from this clock, so tests can make late
recordings arrive by advancing it. It stands still unless told to follow wall time: a test that reads
the same endpoint twice then sees the same world, and only an explicit advance makes recordings finish.

Where it starts: at the real current time, unless the workspace's last day is already over, in which
case at 06:00 UTC on the day after the last day, so late recordings (finishing hours to two days after
their meeting) are still pending when a run begins.
"""

from __future__ import annotations

import datetime as dt
import time

from .timefmt import UTC, to_millis


def default_start(end_date: dt.date, real_now: dt.datetime) -> dt.datetime:
    if end_date < real_now.astimezone(UTC).date():
        return dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(6, 0), tzinfo=UTC)
    return to_millis(real_now)


class Clock:
    def __init__(self, start: dt.datetime, *, follows_wall_time: bool = False) -> None:
        self._anchor = to_millis(start)
        self._anchor_monotonic = time.monotonic()
        self.follows_wall_time = follows_wall_time

    def now(self) -> dt.datetime:
        if not self.follows_wall_time:
            return self._anchor
        elapsed = time.monotonic() - self._anchor_monotonic
        return to_millis(self._anchor + dt.timedelta(seconds=elapsed))

    def set(self, when: dt.datetime) -> dt.datetime:
        self._anchor = to_millis(when)
        self._anchor_monotonic = time.monotonic()
        return self._anchor

    def advance(self, seconds: float) -> dt.datetime:
        return self.set(self.now() + dt.timedelta(seconds=seconds))
