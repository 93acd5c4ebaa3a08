"""Transcript entries to one row per segment: speaker key, run, switch, response gap, talk and questions.

The conversation views (relate_pipeline/warehouse/conversation.py, documented in docs/data-model.md) are
computed over these rows instead of every entry. The flattener emits a recording's entries
together, segment after segment, so every per-segment value is a vectorised reduction over
contiguous slices (``numpy.ufunc.reduceat``) and every run or switch a comparison with the
previous segment; no Python loop touches an entry.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.tables import conform, empty_table
from relate_pipeline.unicode_tables import whitespace_class

QUESTION_PATTERN = f"[?？]{whitespace_class()}*$"


def normalised_name(name: str | None) -> str | None:
    """The speaker key: trimmed, whitespace runs collapsed to one space, case-folded; None when empty.

    The warehouse's ``name_key`` macro computes the same key in SQL (for contact names and
    action-item owners).
    """
    if name is None:
        return None
    return " ".join(name.split()).casefold() or None


def _speaker_keys(names: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Each name's key (computed once per distinct name) and an integer code per key, -1 for null."""
    encoded = pc.dictionary_encode(names)
    keys = pa.array([normalised_name(name) for name in encoded.dictionary.to_pylist()], type=pa.string())
    key_per_name = keys.take(encoded.indices)
    key_codes = pc.dictionary_encode(key_per_name).indices
    return key_per_name, pc.fill_null(key_codes, -1).to_numpy(zero_copy_only=False)


def doubles(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A float column as numpy doubles, null as NaN."""
    return pc.fill_null(column, np.nan).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def nullable_doubles(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Doubles as an Arrow array, null where ``valid`` is false."""
    return pa.array(values, type=pa.float64(), mask=~valid)


def _block_starts(changed: np.ndarray) -> np.ndarray:
    """Positions where a new block begins, given whether each position differs from the previous one."""
    return np.flatnonzero(np.concatenate(([True], changed)))


def transcript_segments(utterances: pa.Table) -> pa.Table:
    """transcript_utterances rows, each recording's entries together in segment order, to transcript_segments.

    Raises ValueError when a recording's entries are not contiguous or its segments out of order,
    which the flattener never produces.
    """
    count = utterances.num_rows
    if count == 0:
        return empty_table("transcript_segments")
    recording = pc.dictionary_encode(utterances.column("recording_id").combine_chunks()).indices.to_numpy()
    segment = utterances.column("segment_index").to_numpy().astype(np.int64)
    new_recording = recording[1:] != recording[:-1]
    if len(np.unique(recording)) != 1 + int(new_recording.sum()) or np.any((segment[1:] < segment[:-1]) & ~new_recording):
        raise ValueError("transcript_segments needs each recording's entries together, in segment order")

    starts = _block_starts(new_recording | (segment[1:] != segment[:-1]))
    start_s, end_s = doubles(utterances.column("start_relative_s")), doubles(utterances.column("end_relative_s"))
    with np.errstate(invalid="ignore"):
        countable = np.isfinite(start_s) & np.isfinite(end_s) & (end_s >= start_s)
    question = pc.fill_null(pc.match_substring_regex(utterances.column("text"), QUESTION_PATTERN), False)

    entries = np.diff(np.append(starts, count))
    countable_entries = np.add.reduceat(countable.astype(np.int64), starts)
    talk = np.add.reduceat(np.where(countable, end_s - start_s, 0.0), starts)
    first_start = np.minimum.reduceat(np.where(countable, start_s, np.inf), starts)
    last_end = np.maximum.reduceat(np.where(countable, end_s, -np.inf), starts)
    has_countable = countable_entries > 0

    names = utterances.column("participant_name").combine_chunks().take(pa.array(starts))
    keys, codes = _speaker_keys(names)
    segment_recording = recording[starts]
    same_recording = np.concatenate(([False], segment_recording[1:] == segment_recording[:-1]))
    is_switch = same_recording & np.concatenate(([False], codes[1:] != codes[:-1]))
    switches_so_far = np.cumsum(is_switch)
    recording_first = np.maximum.accumulate(np.where(~same_recording, np.arange(len(starts)), 0))
    run_index = switches_so_far - switches_so_far[recording_first]
    previous_has_countable = np.concatenate(([False], has_countable[:-1]))
    previous_last_end = np.concatenate(([0.0], last_end[:-1]))
    has_gap = is_switch & has_countable & previous_has_countable
    gap = np.where(has_gap, np.maximum(first_start - np.where(has_gap, previous_last_end, 0.0), 0.0), 0.0)

    return conform(
        "transcript_segments",
        pa.table(
            {
                "recording_id": utterances.column("recording_id").combine_chunks().take(pa.array(starts)),
                "segment_index": pa.array(segment[starts], type=pa.int32()),
                "participant_name": names,
                "speaker_key": keys,
                "run_index": pa.array(run_index, type=pa.int32()),
                "is_switch": pa.array(is_switch),
                "response_gap_seconds": nullable_doubles(gap, has_gap),
                "word_entry_count": pa.array(entries, type=pa.int32()),
                "countable_entry_count": pa.array(countable_entries, type=pa.int32()),
                "question_count": pa.array(np.add.reduceat(question.to_numpy(zero_copy_only=False).astype(np.int64), starts), type=pa.int32()),
                "talk_seconds": pa.array(talk, type=pa.float64()),
                "first_start_s": nullable_doubles(first_start, has_countable),
                "last_end_s": nullable_doubles(last_end, has_countable),
            }
        ),
    )

