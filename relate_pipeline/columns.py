"""Column builders: Python value lists in, typed Arrow arrays out, tolerant of schema drift.

Each builder first hands the whole list to Arrow's C++ converter (fast when the API
behaves) and only on a type error falls back to coercing value by value, so drift costs
time only on the batches that contain it.  Text is never dropped: a non-string where text
is expected is kept as its JSON encoding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.tables import TIMESTAMP, spec

_CONVERSION_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError)
_OFFSET_RE = re.compile(r"(?:([+-])(\d{2}):?(\d{2})|[Zz])$")
# Beyond this many seconds (about 31 years) an offset is not a real position in a meeting.
_MAX_RELATIVE_S = 1e9


def json_text(value: Any) -> str | None:
    """JSON-encode a decoded JSON value; ``None`` stays null rather than becoming 'null'."""
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        # orjson refuses integers beyond 64 bits; the standard library does not.
        return json.dumps(value, ensure_ascii=False, default=str)


def text(value: Any) -> str | None:
    """Text as served, or the JSON encoding of a non-string so no content is lost."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    return json_text(value)


def identifier(value: Any) -> str | None:
    """An API id as text; only strings and integers are ids, anything else is unusable."""
    if isinstance(value, str):
        return value if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def number(value: Any) -> float | None:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return None


def boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def as_list(value: Any) -> list:
    """A JSON array as a list: null becomes empty, a lone value becomes a one-item list."""
    if value is None:
        return []
    if type(value) is list:
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def email(value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    cleaned = raw.strip().lower()
    return cleaned or None


def email_domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rpartition("@")[2] or None


def domain(value: Any) -> str | None:
    """Normalise an organization domain that may be served as a bare host or a URL."""
    raw = text(value)
    if raw is None:
        return None
    host = raw.strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    for separator in "/?#":
        host = host.split(separator, 1)[0]
    host = host.rpartition("@")[2].split(":", 1)[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


def utc_offset_minutes(value: Any) -> int | None:
    """The UTC offset written in an ISO-8601 string, which UTC conversion would discard."""
    if type(value) is not str:
        return None
    match = _OFFSET_RE.search(value.strip())
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    if sign is None:
        return 0
    total = int(hours) * 60 + int(minutes)
    return -total if sign == "-" else total


def _parse_timestamp(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # The API serves UTC 'Z' or explicit offsets; a bare local time is read as UTC.
        return parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def string_array(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values, type=pa.string())
    except _CONVERSION_ERRORS:
        return pa.array([text(v) for v in values], type=pa.string())


def float_array(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values, type=pa.float64())
    except _CONVERSION_ERRORS:
        return pa.array([number(v) for v in values], type=pa.float64())


def int_array(values: Sequence[Any], type_: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=type_)
    except _CONVERSION_ERRORS:
        coerced = [integer(v) for v in values]
        try:
            return pa.array(coerced, type=type_)
        except _CONVERSION_ERRORS:
            return pa.array([None] * len(values), type=type_)


def bool_array(values: Sequence[Any]) -> pa.Array:
    return pa.array([boolean(v) for v in values], type=pa.bool_())


def string_list_array(values: Sequence[Any]) -> pa.Array:
    return pa.array([[text(x) for x in as_list(v)] for v in values], type=pa.list_(pa.string()))


def timestamp_array(values: Sequence[Any]) -> pa.Array:
    """ISO-8601 strings with offsets to UTC microseconds, parsed by Arrow in one pass.

    Only when Arrow rejects some value does parsing fall back to one value at a time, where
    an unparseable value becomes null (the raw store still holds the original text).
    """
    try:
        strings = pa.array(values, type=pa.string())
    except _CONVERSION_ERRORS:
        strings = pa.array([v if isinstance(v, str) else None for v in values], type=pa.string())
    try:
        return strings.cast(TIMESTAMP)
    except _CONVERSION_ERRORS:
        return pa.array([_parse_timestamp(v) for v in strings.to_pylist()], type=TIMESTAMP)


def offset_timestamps(base: pa.Array, seconds: pa.Array) -> pa.Array:
    """``base + seconds`` as timestamps; null where either is null or the offset is absurd.

    Bounding the offset keeps the microsecond arithmetic far from int64 overflow.
    """
    sane = pc.and_kleene(pc.is_finite(seconds), pc.less_equal(pc.abs(seconds), _MAX_RELATIVE_S))
    bounded = pc.if_else(sane, seconds, pa.scalar(None, pa.float64()))
    micros = pc.round(pc.multiply(bounded, 1_000_000.0)).cast(pa.int64()).cast(pa.duration("us"))
    return pc.add_checked(base, micros)


_BUILDERS = {
    pa.string(): string_array,
    pa.float64(): float_array,
    pa.bool_(): bool_array,
    TIMESTAMP: timestamp_array,
    pa.list_(pa.string()): string_list_array,
}


def build_table(name: str, columns: dict[str, Any]) -> pa.Table:
    """Assemble a table in exactly its spec's column order and types from per-column values."""
    schema = spec(name).schema
    if set(columns) != set(schema.names):
        raise ValueError(
            f"table {name!r}: builder gave columns {sorted(columns)}, schema has {sorted(schema.names)}"
        )
    arrays = []
    for field in schema:
        values = columns[field.name]
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            array = values if values.type.equals(field.type) else values.cast(field.type)
        elif pa.types.is_integer(field.type):
            array = int_array(values, field.type)
        else:
            array = _BUILDERS[field.type](values)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)
