"""Retention: meeting days older than ``RELATE_RETENTION_DAYS`` leave every store, and are never loaded again.

A day is a partition, cut in ``RELATE_TIMEZONE``; the oldest day kept is today (in that zone)
minus the retention, so with 30 days and today the 31st, the 1st is kept and every day before it
goes. Every run purges, whatever its range, so a nightly one-day run ages the old days out too.
The warehouse holds views over the lake and no copies, so purging the lake purges the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from relate_pipeline.day_index import refresh_day_index, refresh_raw_index
from relate_pipeline.lake import Lake
from relate_pipeline.tables import MEETING_TABLES, RAW_TABLES


@dataclass(frozen=True)
class Retention:
    """How many days are kept (None: all of them), counted back from ``today`` in the pipeline's zone."""

    days: int | None
    today: date

    @classmethod
    def at(cls, days: int | None, tz: ZoneInfo, now: datetime | None = None) -> Retention:
        return cls(days, (now.astimezone(tz) if now else datetime.now(tz)).date())

    @property
    def first_kept(self) -> date | None:
        """The oldest day kept; None when everything is kept."""
        return None if self.days is None else self.today - timedelta(days=self.days)

    def clamp(self, first: date, last: date) -> tuple[date, date] | None:
        """The part of a range that is kept: the whole range, its newer end, or None when none of it is."""
        kept = self.first_kept
        if kept is None or first >= kept:
            return first, last
        if last < kept:
            return None
        return kept, last

    def clamp_note(self, first: date, last: date) -> str | None:
        """The one line a run logs when its range reaches past the cutoff; None when it does not."""
        kept = self.clamp(first, last)
        if kept == (first, last):
            return None
        skipped = (min(last, self.first_kept - timedelta(days=1)) - first).days + 1
        loading = "nothing" if kept is None else f"only {kept[0]} .. {kept[1]}"
        return (
            f"RELATE_RETENTION_DAYS={self.days}: days before {self.first_kept} are not kept, so this run "
            f"loads {loading} ({skipped} of its days skipped)"
        )


def purge_expired_days(raw: Lake, lake: Lake, retention: Retention) -> list[str]:
    """Remove every day before the retention's first kept day from the lake and the raw store.

    The lake's tables go first and the raw listing (which tells a run which days hold which
    events) last, so a purge interrupted anywhere is finished by the next run; the day indexes then
    forget the purged days' ids. Returns the days that had any file, oldest first.
    """
    kept = retention.first_kept
    if kept is None:
        return []
    cutoff = kept.isoformat()
    stores = [(lake, name) for name in MEETING_TABLES] + [(raw, name) for name in reversed(RAW_TABLES)]
    expired = {(store, name): store.dates_before(name, cutoff) for store, name in stores}
    purged: set[str] = set()
    for (store, name), days in expired.items():
        for day in days:
            store.remove_partition(name, day)
            purged.add(day)
    if purged:
        refresh_raw_index(raw)
        refresh_day_index(lake)
    return sorted(purged)
