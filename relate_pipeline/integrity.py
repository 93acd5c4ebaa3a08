"""What makes a stored file damaged, and what a refused write says.

A lake, raw-store or index file is damaged when it cannot be read as Parquet (truncated, zero
bytes, overwritten with garbage) or when its schema is not its table's. Every reader raises :class:`DamagedFile` for such a file, never
pyarrow's own error, so a run fails in one line naming the file and what is wrong with it.
"""

from __future__ import annotations

import os

import pyarrow as pa


class DamagedFile(Exception):
    """A stored file that cannot be read as its table: ``path`` names it, ``problem`` says why."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path} is damaged: {problem}")


class StorageError(Exception):
    """A write that the filesystem refused (a full disk, a permission): one line naming the path and the cause."""

    def __init__(self, path: str, cause: BaseException) -> None:
        self.path = path
        errno = getattr(cause, "errno", None)
        self.cause = os.strerror(errno) if errno else one_line(cause)
        super().__init__(f"could not write {path}: {self.cause}")


def one_line(error: BaseException) -> str:
    """An error's message on one line: its first line, without what pyarrow or DuckDB append."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def schema_problem(found: pa.Schema, table_spec) -> str | None:
    """Why a file's schema is not its table's, or None when it is.

    A file may lack columns added to the table after it was written (the next run writes such a
    day again), but every column it has must be the table's, with the table's type, and its key
    columns must be there.
    """
    expected = table_spec.schema
    foreign = [name for name in found.names if name not in expected.names]
    missing_key = [name for name in table_spec.key if name not in found.names]
    if foreign or missing_key:
        return f"its columns are {found.names}, not the table's {expected.names}"
    for found_field in found:
        expected_type = expected.field(found_field.name).type
        if not found_field.type.equals(expected_type):
            return f"column {found_field.name!r} is {found_field.type}, not {expected_type}"
    return None
