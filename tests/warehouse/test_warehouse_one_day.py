"""A query of one day of the joined views reads that day's files only, whatever the history holds."""

from __future__ import annotations

import re

import pytest

from conversation_samples import DAYS

_, OTHER_DAY = sorted(DAYS)


def files_read(db, sql: str) -> list[int]:
    """How many files each scan of the query's plan read (a snapshot scan reads one)."""
    (_, plan), = db.execute(f"EXPLAIN ANALYZE {sql}").fetchall()
    return [int(count) for count in re.findall(r"Total Files Read: (\d+)", plan)]


@pytest.mark.parametrize("view", ["meetings", "transcripts", "action_items", "recording_stats", "speaker_stats"])
def test_a_one_day_query_reads_no_file_of_another_day(conversation_db, view):
    whole = files_read(conversation_db, f"SELECT * FROM {view}")
    one_day = files_read(conversation_db, f"SELECT * FROM {view} WHERE date = DATE '{OTHER_DAY}'")

    assert max(whole) == 2
    assert one_day and max(one_day) == 1
