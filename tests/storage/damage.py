"""Ways a stored file gets damaged after it was written, done to real files on disk or in a bucket."""

from __future__ import annotations

import io
import os

import pyarrow as pa
import pyarrow.parquet as pq

KINDS = ("truncated", "zero_bytes", "garbage", "deleted", "wrong_schema")


def foreign_parquet() -> bytes:
    """A valid Parquet file of a table no lake table is."""
    sink = io.BytesIO()
    pq.write_table(pa.table({"unrelated": ["x", "y"], "count": [1, 2]}), sink)
    return sink.getvalue()


def damaged_bytes(original: bytes, kind: str) -> bytes | None:
    """What the file holds after ``kind`` of damage; None when it is gone."""
    if kind == "truncated":
        return original[: len(original) // 2]
    if kind == "zero_bytes":
        return b""
    if kind == "garbage":
        return bytes((byte * 7 + 13) % 256 for byte in original)
    if kind == "deleted":
        return None
    if kind == "wrong_schema":
        return foreign_parquet()
    raise ValueError(f"unknown damage {kind!r}")


def damage_file(path, kind: str) -> None:
    """Damage a local file in place."""
    content = damaged_bytes(open(path, "rb").read(), kind)
    if content is None:
        os.unlink(path)
    else:
        with open(path, "wb") as file:
            file.write(content)


def damage_object(fs, path: str, kind: str) -> None:
    """Damage an object in a bucket through its fsspec filesystem."""
    content = damaged_bytes(fs.cat_file(path), kind)
    if content is None:
        fs.rm_file(path)
    else:
        fs.pipe_file(path, content)
    fs.invalidate_cache()
