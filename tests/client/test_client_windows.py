"""day_window: local-midnight bounds, including DST days and zones where midnight is skipped."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from relate_pipeline.client import day_window


def _utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def test_utc_day_spans_midnight_to_midnight():
    assert day_window(date(2026, 5, 16), date(2026, 5, 16), "UTC") == (
        _utc(2026, 5, 16),
        _utc(2026, 5, 17),
    )


def test_seoul_day_starts_at_15_utc_the_day_before():
    assert day_window(date(2026, 5, 16), date(2026, 5, 16), "Asia/Seoul") == (
        _utc(2026, 5, 15, 15),
        _utc(2026, 5, 16, 15),
    )


def test_multi_day_window_covers_first_through_last_day_inclusive():
    start, end = day_window(date(2026, 5, 14), date(2026, 5, 20), ZoneInfo("Asia/Seoul"))
    assert (start, end) == (_utc(2026, 5, 13, 15), _utc(2026, 5, 20, 15))


def test_new_york_spring_forward_day_is_23_hours():
    start, end = day_window(date(2026, 3, 8), date(2026, 3, 8), "America/New_York")
    assert (start, end) == (_utc(2026, 3, 8, 5), _utc(2026, 3, 9, 4))
    assert end - start == 23 * 3600


def test_new_york_fall_back_day_is_25_hours():
    start, end = day_window(date(2026, 11, 1), date(2026, 11, 1), "America/New_York")
    assert (start, end) == (_utc(2026, 11, 1, 4), _utc(2026, 11, 2, 5))
    assert end - start == 25 * 3600


def test_consecutive_days_tile_without_gap_across_dst_change():
    _, saturday_end = day_window(date(2026, 3, 7), date(2026, 3, 7), "America/New_York")
    sunday_start, _ = day_window(date(2026, 3, 8), date(2026, 3, 8), "America/New_York")
    assert saturday_end == sunday_start


def test_day_whose_midnight_is_skipped_starts_at_the_first_existing_instant():
    # Chile springs forward at 00:00 on 2026-09-06: the day begins at 01:00 -03 (04:00 UTC).
    start, end = day_window(date(2026, 9, 6), date(2026, 9, 6), "America/Santiago")
    assert start == _utc(2026, 9, 6, 4)
    assert end - start == 23 * 3600


def test_last_day_before_first_day_is_rejected_naming_both():
    with pytest.raises(ValueError, match="last_day 2026-05-01 is before first_day 2026-05-02"):
        day_window(date(2026, 5, 2), date(2026, 5, 1), "UTC")


def test_unknown_zone_is_rejected_naming_it():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus_Mons'"):
        day_window(date(2026, 5, 1), date(2026, 5, 1), "Mars/Olympus_Mons")


def test_datetime_instead_of_date_is_rejected():
    with pytest.raises(ValueError, match="first_day must be a datetime.date"):
        day_window(datetime(2026, 5, 1, 12), date(2026, 5, 1), "UTC")
