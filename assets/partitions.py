"""Daily partitions on meeting start time, in the workspace's time zone.

``SETTINGS`` is the code location's configuration, read and validated once when it loads (a bad
``RELATE_*`` value stops the load, naming the variable). The partitions take ``RELATE_TIMEZONE``
and ``RELATE_START_DATE`` from it and definitions.py builds the resources from it; assets,
schedules and sensors read neither it nor the environment, only the partitions and their
resources. A partition covers [day 00:00, next day 00:00) in that zone, so a DST day is 23 or 25
hours. ``end_offset=1`` makes today's (still growing) day runnable.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from dagster import DailyPartitionsDefinition

from relate_pipeline.settings import PipelineSettings

SETTINGS = PipelineSettings.from_env()

daily_partitions = DailyPartitionsDefinition(
    start_date=SETTINGS.start_date.isoformat(),
    timezone=SETTINGS.timezone.key,
    end_offset=1,
)


def partition_zone() -> ZoneInfo:
    """The zone that cuts days: the partitions definition's own."""
    return ZoneInfo(daily_partitions.timezone)


def first_day() -> date:
    """The first partition's day."""
    return daily_partitions.start.date()


def partition_days(partition_keys: list[str]) -> tuple[date, date]:
    """First and last day of a run, whether it covers one partition or a range."""
    days = sorted(date.fromisoformat(key) for key in partition_keys)
    return days[0], days[-1]
