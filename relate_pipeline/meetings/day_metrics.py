"""A day's conversation metrics: per recording and per speaker, and who each name could be among the attendees.

Everything here depends only on the day's own recordings and attendees, never on the CRM, so it
is computed once, when the day is flattened, and rewritten only with its day; the conversation
views (relate_pipeline/warehouse/conversation.py) read these rows and join them to the CRM when
queried. The definitions are those of docs/data-model.md ("Conversation views"); every value is
a vectorised reduction over the day's ``transcript_segments``, which hold each recording's
segments together and in order, and every time is added up in whole microseconds, as the views
always did, so each figure is the same on every computation.

Of the resolution rules only the ``email`` one needs nothing but the attendees: its outcome (the
one attendee e-mail whose local part holds the name's first token) is kept with each name, and
the warehouse decides between it and the CRM's rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.meetings.segments import doubles, normalised_name, nullable_doubles
from relate_pipeline.tables import conform

_EMAIL_TOKEN_SEPARATORS = re.compile(r"[._+-]")


def whole_microseconds(seconds: np.ndarray) -> np.ndarray:
    """Seconds rounded half away from zero to whole microseconds, as DuckDB's ``round`` does (numpy rounds half to even)."""
    scaled = seconds * 1e6
    floor = np.floor(scaled)
    return (floor + (scaled - floor >= 0.5)).astype(np.int64)


def email_tokens(email: str) -> list[str]:
    """The ``email`` rule's tokens: the normalised local part (before the last ``@``) split on ``.``, ``_``, ``+`` and ``-``."""
    local = normalised_name(email.rpartition("@")[0] if "@" in email else email)
    return [] if local is None else _EMAIL_TOKEN_SEPARATORS.split(local)


class AttendeeTokens:
    """The day's attendees by event, indexed by e-mail token, to look up the ``email`` rule's outcome of a name."""

    def __init__(self, attendees: pa.Table) -> None:
        self._by_token: dict[tuple[str, str], set[str]] = defaultdict(set)
        for event_id, email in zip(attendees.column("event_id").to_pylist(), attendees.column("email").to_pylist()):
            if email is not None:
                for token in email_tokens(email):
                    self._by_token[(event_id, token)].add(email)

    def email_match(self, event_id: str | None, name_key: str | None) -> str | None:
        """The one attendee e-mail of the event holding the key's first token; None when none or several do."""
        if name_key is None:
            return None
        emails = self._by_token.get((event_id, name_key.split(" ")[0]), ())
        return next(iter(emails)) if len(emails) == 1 else None

    def email_matches(self, event_ids: Sequence[str | None], name_keys: Sequence[str | None]) -> pa.Array:
        return pa.array([self.email_match(e, k) for e, k in zip(event_ids, name_keys)], type=pa.string())


def _group_starts(*codes: np.ndarray) -> np.ndarray:
    """Where a new block of equal consecutive codes begins (all arrays the same length, non-empty)."""
    changed = np.zeros(len(codes[0]) - 1, dtype=bool)
    for code in codes:
        changed |= code[1:] != code[:-1]
    return np.flatnonzero(np.concatenate(([True], changed)))


def conversation_metrics(recordings: pa.Table, segments: pa.Table, attendees: AttendeeTokens) -> dict[str, pa.Table]:
    """``recording_metrics`` and ``speaker_metrics`` of the recordings, from their segments.

    ``segments`` holds only these recordings' segments, each recording's together and in segment
    order (as ``transcript_segments`` is written); raises ValueError otherwise.
    """
    recording_ids = recordings.column("recording_id").combine_chunks()
    event_ids = recordings.column("calendar_event_id").combine_chunks()
    count = len(recording_ids)
    position = pc.index_in(segments.column("recording_id"), value_set=recording_ids)
    if position.null_count:
        raise ValueError("conversation_metrics got segments of a recording it was not given")
    recording = position.to_numpy(zero_copy_only=False).astype(np.int64)
    if segments.num_rows and len(np.unique(recording)) != len(_group_starts(recording)):
        raise ValueError("conversation_metrics needs each recording's segments together")

    keys = segments.column("speaker_key").combine_chunks()
    key_codes = pc.fill_null(pc.dictionary_encode(keys).indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    talk_us = whole_microseconds(segments.column("talk_seconds").to_numpy(zero_copy_only=False))
    gaps = doubles(segments.column("response_gap_seconds"))
    has_gap = ~np.isnan(gaps)
    gap_us = np.where(has_gap, whole_microseconds(np.nan_to_num(gaps)), 0)
    first_start, last_end = doubles(segments.column("first_start_s")), doubles(segments.column("last_end_s"))
    switches = segments.column("is_switch").to_numpy(zero_copy_only=False).astype(np.int64)
    questions = segments.column("question_count").to_numpy(zero_copy_only=False).astype(np.int64)
    entries = segments.column("word_entry_count").to_numpy(zero_copy_only=False).astype(np.int64)

    # Speakers: one per (recording, key), numbered in order of their first segment.
    pair = recording * (int(key_codes.max(initial=-1)) + 2) + key_codes + 1
    _, first_segment, speaker_of_segment = np.unique(pair, return_index=True, return_inverse=True)
    order = np.argsort(first_segment, kind="stable")
    speaker_of_segment = np.argsort(order)[speaker_of_segment]
    first_segment = first_segment[order]
    speakers = len(first_segment)
    speaker_recording = recording[first_segment]
    speaker_talk = np.zeros(speakers, dtype=np.int64)
    np.add.at(speaker_talk, speaker_of_segment, talk_us)
    speaker_entries = np.bincount(speaker_of_segment, weights=entries, minlength=speakers).astype(np.int64)
    speaker_questions = np.bincount(speaker_of_segment, weights=questions, minlength=speakers).astype(np.int64)

    # Runs: consecutive segments of one recording with the same run index.
    run_index = segments.column("run_index").to_numpy(zero_copy_only=False).astype(np.int64)
    longest_by_speaker = np.zeros(speakers)
    recording_longest = np.zeros(count)
    longest_speaker = np.full(count, -1, dtype=np.int64)
    if segments.num_rows:
        run_starts = _group_starts(recording, run_index)
        with np.errstate(invalid="ignore"):
            span = np.fmax.reduceat(last_end, run_starts) - np.fmin.reduceat(first_start, run_starts)
        span = np.nan_to_num(span, nan=0.0)
        run_speaker = speaker_of_segment[run_starts]
        run_recording = recording[run_starts]
        np.maximum.at(longest_by_speaker, run_speaker, span)
        # The longest run of each recording, the earliest on ties: runs in order, the first maximum wins.
        by_longest = np.lexsort((np.arange(len(span)), -span, run_recording))
        first_of_recording = by_longest[_group_starts(run_recording[by_longest])]
        recording_longest[run_recording[first_of_recording]] = span[first_of_recording]
        longest_speaker[run_recording[first_of_recording]] = run_speaker[first_of_recording]

    recording_talk = np.zeros(count, dtype=np.int64)
    np.add.at(recording_talk, recording, talk_us)
    gap_total = np.zeros(count, dtype=np.int64)
    np.add.at(gap_total, recording, gap_us)
    gap_count = np.bincount(recording, weights=has_gap, minlength=count).astype(np.int64)
    switch_count = np.bincount(recording, weights=switches, minlength=count).astype(np.int64)
    question_total = np.bincount(recording, weights=questions, minlength=count).astype(np.int64)
    speaker_count = np.bincount(speaker_recording, minlength=count).astype(np.int64)
    latest_end = np.full(count, np.nan)
    earliest_start = np.full(count, np.nan)
    np.fmax.at(latest_end, recording, last_end)
    np.fmin.at(earliest_start, recording, first_start)
    transcript_seconds = np.nan_to_num(latest_end - earliest_start, nan=0.0)
    has_segments = speaker_count > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        per_minute = switch_count / (transcript_seconds / 60)
        mean_gap = gap_total / np.where(gap_count > 0, gap_count, 1) / 1e6
        share = speaker_talk / recording_talk[speaker_recording]

    first_segments = pa.array(first_segment, type=pa.int64())
    speaker_keys = keys.take(first_segments).to_pylist()
    first_names = segments.column("participant_name").take(first_segments).to_pylist()
    speaker_names = [None if key is None else name for key, name in zip(speaker_keys, first_names)]
    speaker_events = event_ids.take(pa.array(speaker_recording)).to_pylist()
    # A recording's speakers are consecutive (its segments are): number them from each block's start.
    speaker_blocks = _group_starts(speaker_recording) if speakers else np.zeros(0, dtype=np.int64)
    speaker_index = np.arange(speakers) - np.repeat(speaker_blocks, np.diff(np.append(speaker_blocks, speakers)))
    longest_names = [speaker_names[s] if s >= 0 else None for s in longest_speaker]

    return {
        "recording_metrics": conform(
            "recording_metrics",
            pa.table(
                {
                    "recording_id": recording_ids,
                    "event_id": event_ids,
                    "speaker_count": pa.array(speaker_count, type=pa.int32()),
                    "talk_seconds": pa.array(recording_talk / 1e6),
                    "transcript_seconds": pa.array(transcript_seconds),
                    "speaker_switches": pa.array(switch_count, type=pa.int32()),
                    "switches_per_minute": nullable_doubles(per_minute, has_segments & (transcript_seconds != 0)),
                    "longest_monologue_seconds": pa.array(recording_longest),
                    "longest_monologue_participant": pa.array(longest_names, type=pa.string()),
                    "mean_response_gap_seconds": nullable_doubles(mean_gap, gap_count > 0),
                    "question_count": pa.array(question_total, type=pa.int32()),
                }
            ),
        ),
        "speaker_metrics": conform(
            "speaker_metrics",
            pa.table(
                {
                    "recording_id": recording_ids.take(pa.array(speaker_recording)),
                    "speaker_index": pa.array(speaker_index, type=pa.int32()),
                    "event_id": pa.array(speaker_events, type=pa.string()),
                    "speaker_key": pa.array(speaker_keys, type=pa.string()),
                    "participant_name": pa.array(speaker_names, type=pa.string()),
                    "email_match": attendees.email_matches(speaker_events, speaker_keys),
                    "talk_seconds": pa.array(speaker_talk / 1e6),
                    "talk_share": nullable_doubles(share, recording_talk[speaker_recording] != 0),
                    "word_entry_count": pa.array(speaker_entries, type=pa.int32()),
                    "question_count": pa.array(speaker_questions, type=pa.int32()),
                    "longest_monologue_seconds": pa.array(longest_by_speaker),
                }
            ),
        ),
    }


def action_item_owners(recordings: pa.Table, action_items: pa.Table, attendees: AttendeeTokens) -> pa.Table:
    """``action_item_owners``: each action item with an owner, its owner's key and the ``email`` rule's outcome."""
    owned = action_items.filter(pc.is_valid(action_items.column("owner")))
    position = pc.index_in(owned.column("recording_id"), value_set=recordings.column("recording_id"))
    events = recordings.column("calendar_event_id").take(position).to_pylist()
    keys = [normalised_name(owner) for owner in owned.column("owner").to_pylist()]
    return conform(
        "action_item_owners",
        pa.table(
            {
                "recording_id": owned.column("recording_id"),
                "item_index": owned.column("item_index"),
                "event_id": pa.array(events, type=pa.string()),
                "owner_key": pa.array(keys, type=pa.string()),
                "email_match": attendees.email_matches(events, keys),
            }
        ),
    )


def day_metric_tables(recording_tables: dict[str, pa.Table], attendees: AttendeeTokens) -> dict[str, pa.Table]:
    """Every metric table of a batch of flattened recordings (``flatten_raw_recordings``' output)."""
    recordings = recording_tables["recordings"]
    return {
        **conversation_metrics(recordings, recording_tables["transcript_segments"], attendees),
        "action_item_owners": action_item_owners(recordings, recording_tables["recording_action_items"], attendees),
    }
