"""Daily partitions on meeting start time, in the workspace's time zone.

``SETTINGS`` is the code location's configuration, read and validated once when it loads (a bad
``RELATE_*`` value stops the load, naming the variable); the partitions take ``RELATE_TIMEZONE`` and
``RELATE_START_DATE`` from it. A partition covers [day 00:00, next day 00:00) in that zone, so a
DST day is 23 or 25 hours. ``end_offset=1`` makes today's (still growing) day runnable.
"""

from __future__ import annotations

from datetime import date

from dagster import DailyPartitionsDefinition

from relate_pipeline.settings import PipelineSettings

SETTINGS = PipelineSettings.from_env()

daily_partitions = DailyPartitionsDefinition(
    start_date=SETTINGS.start_date.isoformat(),
    timezone=SETTINGS.timezone.key,
    end_offset=1,
)


def partition_days(partition_keys: list[str]) -> tuple[date, date]:
    """First and last day of a run, whether it covers one partition or a range."""
    days = sorted(date.fromisoformat(key) for key in partition_keys)
    return days[0], days[-1]
