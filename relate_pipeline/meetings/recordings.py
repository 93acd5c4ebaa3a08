"""Recording details to recordings, topics, action items, transcript utterances and segments, and summary fields.

Transcripts dominate the data volume, so they never become per-word Python objects:
response bytes go through Arrow's JSON reader straight into one nested Arrow array, and
every table is cut from it with vectorised list operations.  The workspace-specific
summary keys can hold any JSON; the reader infers their types, and each value's compact
re-encoding is accepted only when those exact bytes are in the body (otherwise that body
alone is decoded with orjson), so each keeps the value it had without a second full parse.
When the reader refuses a body (schema drift: a number where text was expected, a lone
object where a list was expected), the decoded JSON is coerced into the same nested shape
and the same vectorised code runs, so drift costs speed, never data.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from relate_pipeline.columns import (
    as_list,
    build_table,
    identifier,
    json_text,
    number,
    offset_timestamps,
    text,
    timestamp_array,
)
from relate_pipeline.meetings.segments import transcript_segments

RESERVED_SUMMARY_KEYS = frozenset({"summary", "topics", "action_items", "detected_language"})

_RELATIVE = pa.struct([("relative", pa.float64())])
_WORD = pa.struct([("text", pa.string()), ("start_timestamp", _RELATIVE), ("end_timestamp", _RELATIVE)])
_SEGMENT = pa.struct(
    [("participant", pa.struct([("name", pa.string())])), ("words", pa.list_(_WORD)), ("language_code", pa.string())]
)
_TOPIC = pa.struct([("title", pa.string()), ("content", pa.string())])
_SUMMARY = pa.struct(
    [
        ("summary", pa.string()),
        ("detected_language", pa.string()),
        ("topics", pa.list_(_TOPIC)),
        ("action_items", pa.list_(pa.string())),
    ]
)
_DETAIL = pa.struct(
    [
        ("id", pa.string()),
        ("calendar_event_id", pa.string()),
        ("status", pa.string()),
        ("started_at", pa.string()),
        ("ended_at", pa.string()),
        ("audio_duration", pa.float64()),
        ("summary", _SUMMARY),
        ("transcript", pa.list_(_SEGMENT)),
        ("created_at", pa.string()),
        ("updated_at", pa.string()),
    ]
)
_TEXT_FIELDS = ("calendar_event_id", "status", "started_at", "ended_at", "created_at", "updated_at")
_ARROW_ERRORS = (pa.ArrowException, OverflowError, TypeError, ValueError)
_MIN_BLOCK = 1 << 20
# Keys whose bytes in a body are unambiguous: no character an encoder might escape.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\- .]+")

# "Owner: task" with an ASCII colon followed by whitespace (so "10:30" and URLs are not
# split) or a full-width colon as written in Korean/Japanese text.
_OWNER_RE = re.compile(r"\s*([^:：\n]{1,80}?)\s*(?::\s+|：\s*)(\S.*)\Z", re.DOTALL)


def split_action_item(item: str) -> tuple[str | None, str]:
    """Split 'Owner: task' into (owner, task); without an owner prefix, (None, item)."""
    if not isinstance(item, str):
        raise TypeError(f"action item must be a string, got {type(item).__name__}")
    match = _OWNER_RE.match(item)
    if match is None:
        return None, item
    owner, task = match.groups()
    return owner, task.rstrip()


def parse_recording_body(body: bytes | bytearray | memoryview | str, position: int = 0) -> dict:
    """Decode one /recordings/:id response body and unwrap its ``data`` object."""
    if isinstance(body, memoryview):
        body = body.tobytes()
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"recording body at position {position} is not valid JSON: {exc}") from None
    except TypeError:
        raise ValueError(f"recording body at position {position} is a {type(body).__name__}, expected bytes") from None
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise ValueError(f"recording body at position {position} has no 'data' object")
    return document["data"]


# ------------------------------------------------------------ drift coercion
def _relative(stamp: Any) -> dict | None:
    if stamp is None:
        return None
    return {"relative": number(stamp.get("relative") if isinstance(stamp, Mapping) else stamp)}


def _clean_word(word: Any) -> dict | None:
    if word is None:
        return None
    if isinstance(word, Mapping):
        return {
            "text": text(word.get("text")),
            "start_timestamp": _relative(word.get("start_timestamp")),
            "end_timestamp": _relative(word.get("end_timestamp")),
        }
    return {"text": text(word), "start_timestamp": None, "end_timestamp": None}


def _clean_segment(segment: Any) -> dict | None:
    if segment is None:
        return None
    if not isinstance(segment, Mapping):
        return {"participant": None, "words": [_clean_word(segment)], "language_code": None}
    participant = segment.get("participant")
    name = participant.get("name") if isinstance(participant, Mapping) else participant
    return {
        "participant": {"name": text(name)},
        "words": [_clean_word(w) for w in as_list(segment.get("words"))],
        "language_code": text(segment.get("language_code")),
    }


def _clean_topic(topic: Any) -> dict | None:
    if topic is None:
        return None
    if isinstance(topic, Mapping):
        return {"title": text(topic.get("title")), "content": text(topic.get("content"))}
    return {"title": text(topic), "content": None}


def _clean_summary(summary: Any) -> dict | None:
    if summary is None:
        return None
    if not isinstance(summary, Mapping):
        return {"summary": text(summary), "detected_language": None, "topics": [], "action_items": []}
    return {
        "summary": text(summary.get("summary")),
        "detected_language": text(summary.get("detected_language")),
        "topics": [_clean_topic(t) for t in as_list(summary.get("topics"))],
        "action_items": [text(i) for i in as_list(summary.get("action_items"))],
    }


def _clean_detail(detail: Mapping) -> dict:
    """The detail coerced into exactly the nested shape of ``_DETAIL``, keeping every text."""
    transcript = detail.get("transcript")
    cleaned = {field: text(detail.get(field)) for field in _TEXT_FIELDS}
    cleaned.update(
        id=identifier(detail.get("id")),
        audio_duration=number(detail.get("audio_duration")),
        summary=_clean_summary(detail.get("summary")),
        transcript=None if transcript is None else [_clean_segment(s) for s in as_list(transcript)],
    )
    return cleaned


def _coerced_array(details: Sequence[Mapping]) -> pa.StructArray:
    """Details coerced value by value; only ever given the shapes ``_clean_detail`` produces.

    Arrow's Python converter would read a string where a list is expected as a list of
    characters, so raw decoded JSON never goes through it uncleaned.
    """
    return pa.array([_clean_detail(detail) for detail in details], type=_DETAIL)


def _read_bodies(bodies: Sequence[bytes]) -> list[pa.StructArray] | None:
    """All bodies' ``data`` through Arrow's JSON reader, as the reader's chunks; None when it refuses.

    Fields outside ``_DETAIL`` are inferred rather than ignored so that extra summary keys
    survive.  The chunks are cast to ``_DETAIL`` before anything else touches them, since
    some inferred shapes (a list of only nulls) come out malformed and must not be combined.
    """
    options = pa_json.ParseOptions(
        explicit_schema=pa.schema([("data", _DETAIL)]),
        unexpected_field_behavior="infer",
        newlines_in_values=any(b"\n" in body for body in bodies),
    )
    block = max(_MIN_BLOCK, 2 * max(map(len, bodies)))
    try:
        table = pa_json.read_json(
            io.BytesIO(b"\n".join(bodies)),
            read_options=pa_json.ReadOptions(use_threads=True, block_size=block),
            parse_options=options,
        )
    except _ARROW_ERRORS:
        return None
    if table.num_rows != len(bodies) or table.column("data").null_count:
        return None
    return [chunk for chunk in table.column("data").chunks if len(chunk)]


def _verified_extras(chunk: pa.StructArray, bodies: Sequence[bytes]) -> list[list[tuple[str, str]] | None]:
    """Each row's extra summary keys from the reader's inferred columns, or None where unproven.

    A value is accepted only if ``"key":<compact JSON of the value>`` occurs in the body,
    which rules out what type inference can change (1 read as 1.0 next to 1.5, keys
    null-filled from other rows).  A null value is accepted as "key absent" only if the
    key's bytes never occur in the body at all; otherwise the row is left to orjson.
    """
    summary = chunk.field("summary")
    present = summary.is_valid().to_pylist()
    names = [field.name for field in summary.type if field.name not in RESERVED_SUMMARY_KEYS]
    if not names:
        return [[] for _ in present]
    unproven = [[] if not row else None for row in present]
    if not all(_PLAIN_KEY.fullmatch(name) for name in names):
        return unproven
    try:
        values = {}
        for name in names:
            column = summary.field(name)
            column.validate(full=True)
            values[name] = column.to_pylist()
    except _ARROW_ERRORS:
        return unproven
    return [[] if not row else _proven_pairs(body, names, values, i) for i, (row, body) in enumerate(zip(present, bodies))]


def _proven_pairs(body: bytes, names: list[str], values: dict[str, list], position: int) -> list[tuple[str, str]] | None:
    pairs = []
    for name in names:
        key = f'"{name}"'.encode()
        value = values[name][position]
        if value is None:
            if key in body:
                return None
            continue
        encoded = json_text(value)
        if key + b":" + encoded.encode() not in body:
            return None
        pairs.append((name, encoded))
    return sorted(pairs)


def _read_typed(bodies: Sequence[bytes], want_extras: bool) -> tuple[pa.StructArray, list] | None:
    """Arrow's reader on ``bodies``: (``_DETAIL`` array, proven extras), or None when it refuses them."""
    chunks = _read_bodies(bodies)
    if chunks is None:
        return None
    try:
        typed = [chunk.cast(_DETAIL) for chunk in chunks]
    except _ARROW_ERRORS:
        return None
    extras: list = []
    if want_extras:
        start = 0
        for chunk in chunks:
            extras += _verified_extras(chunk, bodies[start : start + len(chunk)])
            start += len(chunk)
    return pa.concat_arrays(typed), extras


def _typed_rows(
    bodies: Sequence[bytes], decode: Callable[[int], Mapping], want_extras: bool
) -> tuple[pa.StructArray, list[list[tuple[str, str]] | None]]:
    """The bodies as one ``_DETAIL`` array, plus proven extra summary keys when wanted.

    The whole batch goes through Arrow's reader at once; if it refuses, body by body, and
    only a body it refuses alone is decoded (``decode(i)``) and coerced.
    """
    if not bodies:
        return pa.array([], type=_DETAIL), []
    batch = _read_typed(bodies, want_extras)
    if batch is not None:
        return batch
    parts, extras = [], []
    for position, body in enumerate(bodies):
        single = _read_typed([body], want_extras)
        if single is not None:
            parts.append(single[0])
            extras += single[1]
        else:
            detail = decode(position)
            parts.append(_coerced_array([detail]))
            extras.append(_summary_extras(detail))
    return pa.concat_arrays(parts), extras


def _as_bytes(body: Any, position: int) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    raise ValueError(f"recording body at position {position} is a {type(body).__name__}, expected bytes")


# ---------------------------------------------------------------- flattening
def _summary_extras(detail: Mapping) -> list[tuple[str, str]]:
    summary = detail.get("summary")
    if not isinstance(summary, Mapping):
        return []
    return sorted(
        (str(name), "null" if value is None else json_text(value))
        for name, value in summary.items()
        if name not in RESERVED_SUMMARY_KEYS
    )


def _positions_in_lists(lists: pa.ListArray) -> tuple[np.ndarray, np.ndarray]:
    """(parent row, index within the parent's list) for every value of ``lists.flatten()``."""
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    offsets = lists.offsets.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    index = np.arange(len(parents), dtype=np.int64) - (offsets[parents] - offsets[0])
    return parents, index


def _keep_last(ids: list[str]) -> np.ndarray | None:
    """Mask keeping each id's last occurrence, or None when ids are already unique."""
    last = {recording_id: position for position, recording_id in enumerate(ids)}
    if len(last) == len(ids):
        return None
    mask = np.zeros(len(ids), dtype=bool)
    mask[list(last.values())] = True
    return mask


def _flatten(details: pa.StructArray, extras: list[list[tuple[str, str]]]) -> dict[str, pa.Table]:
    ids = details.field("id").to_pylist()
    for position, recording_id in enumerate(ids):
        if not recording_id:
            raise ValueError(f"recording detail at position {position} has no usable 'id' (got {recording_id!r})")
    mask = _keep_last(ids)
    if mask is not None:
        # Offset pagination can deliver one recording twice; the later read is fresher.
        details = details.filter(pa.array(mask))
        extras = [e for e, keep in zip(extras, mask) if keep]
        ids = [i for i, keep in zip(ids, mask) if keep]

    fields = dict(zip([f.name for f in _DETAIL], details.flatten()))
    recording_ids = fields["id"]
    started = timestamp_array(fields["started_at"])
    summary_text, language, topics, items = fields["summary"].flatten()
    transcript = fields["transcript"]

    topic_parent, topic_index = _positions_in_lists(topics)
    topic_title, topic_content = topics.flatten().flatten()

    item_parent, item_index = _positions_in_lists(items)
    item_text = items.flatten()
    split = [split_action_item(t) if t is not None else (None, None) for t in item_text.to_pylist()]

    segment_parent, segment_index = _positions_in_lists(transcript)
    participant, words, segment_language = transcript.flatten().flatten()
    (speaker,) = participant.flatten()
    word_segment, word_index = _positions_in_lists(words)
    word_text, start_stamp, end_stamp = words.flatten().flatten()
    (start_relative,) = start_stamp.flatten()
    (end_relative,) = end_stamp.flatten()
    word_recording = segment_parent[word_segment]
    word_recording_arrow = pa.array(word_recording, type=pa.int64())
    base = started.take(word_recording_arrow)

    count = len(ids)
    speakers = pa.table({"recording": pa.array(segment_parent), "name": speaker})
    distinct = speakers.group_by("recording").aggregate([("name", "count_distinct")])
    participant_count = np.zeros(count, dtype=np.int64)
    participant_count[distinct.column("recording").to_numpy()] = distinct.column("name_count_distinct").to_numpy()

    extra_owner = [position for position, pairs in enumerate(extras) for _ in pairs]
    utterances = build_table(
        "transcript_utterances",
        {
            "recording_id": recording_ids.take(word_recording_arrow),
            "segment_index": pa.array(segment_index[word_segment], type=pa.int32()),
            "word_index": pa.array(word_index, type=pa.int32()),
            "participant_name": speaker.take(pa.array(word_segment)),
            "language_code": segment_language.take(pa.array(word_segment)),
            "text": word_text,
            "start_relative_s": start_relative,
            "end_relative_s": end_relative,
            "start_at": offset_timestamps(base, start_relative),
            "end_at": offset_timestamps(base, end_relative),
        },
    )
    return {
        "recordings": build_table(
            "recordings",
            {
                "recording_id": recording_ids,
                "calendar_event_id": fields["calendar_event_id"],
                "status": fields["status"],
                "started_at": started,
                "ended_at": timestamp_array(fields["ended_at"]),
                "audio_duration_s": fields["audio_duration"],
                "summary_text": summary_text,
                "detected_language": language,
                "has_summary": fields["summary"].is_valid(),
                "has_transcript": transcript.is_valid(),
                "topic_count": pc.fill_null(pc.list_value_length(topics), 0).cast(pa.int32()),
                "action_item_count": pc.fill_null(pc.list_value_length(items), 0).cast(pa.int32()),
                "segment_count": pc.fill_null(pc.list_value_length(transcript), 0).cast(pa.int32()),
                "utterance_count": pa.array(np.bincount(word_recording, minlength=count), type=pa.int32()),
                "participant_count": pa.array(participant_count, type=pa.int32()),
                "created_at": timestamp_array(fields["created_at"]),
                "updated_at": timestamp_array(fields["updated_at"]),
            },
        ),
        "recording_topics": build_table(
            "recording_topics",
            {
                "recording_id": recording_ids.take(pa.array(topic_parent)),
                "topic_index": pa.array(topic_index, type=pa.int32()),
                "title": topic_title,
                "content": topic_content,
            },
        ),
        "recording_action_items": build_table(
            "recording_action_items",
            {
                "recording_id": recording_ids.take(pa.array(item_parent)),
                "item_index": pa.array(item_index, type=pa.int32()),
                "text": item_text,
                "owner": [owner for owner, _ in split],
                "task": [task for _, task in split],
            },
        ),
        "transcript_utterances": utterances,
        "transcript_segments": transcript_segments(utterances),
        "summary_fields": build_table(
            "summary_fields",
            {
                "recording_id": [ids[p] for p in extra_owner],
                "field_name": [name for pairs in extras for name, _ in pairs],
                "value_json": [value for pairs in extras for _, value in pairs],
            },
        ),
    }


def flatten_recordings(details: Sequence[Mapping]) -> dict[str, pa.Table]:
    """Unwrapped recording details to their six tables; raises ValueError for a detail without an id.

    Details are re-encoded with orjson (far cheaper than decoding) so they take the same
    Arrow reader path as response bodies and flatten identically.
    """
    for position, detail in enumerate(details):
        if not isinstance(detail, Mapping):
            raise ValueError(f"recording detail at position {position} is a {type(detail).__name__}, expected a JSON object")
    extras = [_summary_extras(detail) for detail in details]
    try:
        bodies = [orjson.dumps({"data": detail}) for detail in details]
    except TypeError:
        # Not plain JSON (a non-dict mapping, an integer beyond 64 bits): coerce them all.
        return _flatten(_coerced_array(details), extras)
    typed, _ = _typed_rows(bodies, details.__getitem__, want_extras=False)
    return _flatten(typed, extras)


def flatten_recording_bodies(bodies: Sequence[bytes]) -> dict[str, pa.Table]:
    """Raw /recordings/:id response bodies to the six tables; a body that is not a recording raises ValueError."""
    bodies = [_as_bytes(body, position) for position, body in enumerate(bodies)]
    typed, extras = _typed_rows(bodies, lambda i: parse_recording_body(bodies[i], i), want_extras=True)
    for position, pairs in enumerate(extras):
        if pairs is None:
            extras[position] = _summary_extras(parse_recording_body(bodies[position], position))
    return _flatten(typed, extras)
