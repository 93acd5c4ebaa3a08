"""One rule for a timestamp without an offset: it is UTC, for the day a meeting lands on as for its columns."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

import pytest

from relate_pipeline.meetings.days import local_day
from relate_pipeline.meetings.events import flatten_events

NAIVE_LATE_EVENING = "2026-05-18T23:30:00"


@pytest.fixture
def machine_in_new_york(monkeypatch):
    """The process's local zone, which a naive timestamp must not depend on."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_naive_start_is_read_as_utc_whatever_the_machines_zone(machine_in_new_york):
    assert local_day(NAIVE_LATE_EVENING, ZoneInfo("UTC")) == "2026-05-18"
    assert local_day(NAIVE_LATE_EVENING, ZoneInfo("Asia/Seoul")) == "2026-05-19"


def test_the_day_chosen_for_a_naive_start_is_the_day_its_start_at_column_holds(machine_in_new_york):
    event = {"id": "e1", "title": "t", "start_at": NAIVE_LATE_EVENING, "end_at": "2026-05-19T00:30:00", "recordings": []}
    start_at = flatten_events([event])["calendar_events"].column("start_at")[0].as_py()
    assert start_at.isoformat() == "2026-05-18T23:30:00+00:00"
    assert local_day(event["start_at"], ZoneInfo("UTC")) == start_at.date().isoformat()


def test_an_explicit_offset_is_kept_when_choosing_the_day():
    assert local_day("2026-05-19T01:00:00+09:00", ZoneInfo("UTC")) == "2026-05-18"
