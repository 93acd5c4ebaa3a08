"""Data-quality measures behind the asset checks; pure functions over Arrow tables."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc


def duplicate_keys(table: pa.Table, key: Sequence[str]) -> int:
    """How many rows share their key with an earlier row (0 means the key is unique)."""
    if table.num_rows == 0:
        return 0
    distinct = table.select(list(key)).group_by(list(key)).aggregate([]).num_rows
    return table.num_rows - distinct


def orphans(child: pa.Table, parent: pa.Table, column: str, parent_column: str | None = None) -> int:
    """Rows of ``child`` whose ``column`` value has no row in ``parent``."""
    if child.num_rows == 0:
        return 0
    known = pc.unique(parent.column(parent_column or column))
    return child.num_rows - pc.sum(pc.is_in(child.column(column), value_set=known)).as_py()


def done_recording_ids(event_recordings: pa.Table) -> set[str]:
    done = event_recordings.filter(pc.equal(event_recordings.column("status"), "done"))
    return set(done.column("recording_id").to_pylist())
