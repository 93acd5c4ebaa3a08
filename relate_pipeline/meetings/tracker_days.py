"""Keeping every day's tracker mentions in step with the trackers file.

A day's ``tracker_matches`` are written with its other meeting tables, by the trackers of the run
that flattened it. The definitions they were computed with are kept beside them, as the
``tracker_definitions`` snapshot; when a run finds the file's definitions differ from it, every
flattened day's mentions are computed again from the day's stored transcript entries (which the
flattener wrote from the raw store), without calling the API, and the snapshot is replaced last. A
run interrupted on the way leaves the old snapshot, so the next run starts over.

Where transcript text is not kept, a day whose entries carry no text keeps the mentions it has:
a new trackers file cannot be applied to words no longer stored.
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from relate_pipeline.lake import Lake
from relate_pipeline.meetings.trackers import Trackers, tracker_matches

_UTTERANCE_COLUMNS = ["recording_id", "segment_index", "word_index", "participant_name", "text", "start_relative_s"]


def definitions_current(lake: Lake, trackers: Trackers) -> bool:
    """Whether every day's mentions were computed with exactly these trackers."""
    stored = lake.read_snapshot("tracker_definitions")
    return stored is not None and stored.equals(trackers.definitions())


def _read_day(lake: Lake, table: str, day: str, columns: list[str]) -> pa.Table | None:
    parts = list(lake.iter_partition(table, day, sys.maxsize, columns=columns))
    return pa.concat_tables(parts) if parts else None


def rewrite_day_mentions(lake: Lake, day: str, trackers: Trackers) -> bool:
    """Replace one day's ``tracker_matches`` from its stored transcript; False (nothing written)
    when the day has entries but none of their text."""
    utterances = _read_day(lake, "transcript_utterances", day, _UTTERANCE_COLUMNS)
    if utterances is None:
        return False
    if utterances.num_rows and utterances.column("text").null_count == utterances.num_rows:
        return False
    recordings = _read_day(lake, "recordings", day, ["recording_id", "calendar_event_id"])
    lake.write_partition("tracker_matches", day, tracker_matches(utterances, recordings, trackers))
    return True


def apply_trackers(lake: Lake, trackers: Trackers, already: Collection[str] = (), workers: int = 2) -> list[str]:
    """Bring every flattened day's mentions to ``trackers`` unless they already are; the days rewritten.

    ``already`` are days just flattened with ``trackers``, left as they are.
    """
    if definitions_current(lake, trackers):
        return []
    days = [day for day in lake.partitions("transcript_utterances") if day not in already]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trackers") as pool:
        rewritten = [day for day, done in zip(days, pool.map(lambda d: rewrite_day_mentions(lake, d, trackers), days)) if done]
    lake.write_snapshot("tracker_definitions", trackers.definitions())
    return rewritten

