"""How the CRM looked on a given day: every version of each contact, organization and list entry.

Each snapshot is compared with the one before it (the stored current snapshot) and only what
changed is written: a row whose columns differ in any way, or that is new, becomes a version; a
row the snapshot no longer lists becomes a deletion. These changes go to a lake table per CRM
table, one file per UTC day of the snapshots, so a run writes what changed, never the history.
The warehouse's ``*_history`` views turn the changes into versions with ``valid_from``,
``valid_to`` and ``is_current`` (docs/data-model.md, "CRM history").

A data dir that has a snapshot but no history yet starts the history from that snapshot, as of the
time its file was written. The changes are written before the snapshot they lead to: a run
stopped between the two writes the same changes again on the next run, and the views skip a
version equal to the one before it, so nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pyarrow as pa

from relate_pipeline.lake import Lake
from relate_pipeline.tables import CRM_HISTORIES, TABLES, conform, empty_table


@dataclass(frozen=True)
class History:
    """One CRM table's history: the snapshot table, where its changes go, and the column naming a row across snapshots."""

    table: str
    changes: str
    key: str


HISTORIES: tuple[History, ...] = tuple(History(table, changes, key) for changes, (table, key) in CRM_HISTORIES.items())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def snapshot_changes(history: History, previous: pa.Table | None, current: pa.Table, taken_at: datetime) -> pa.Table:
    """The change rows leading from ``previous`` to ``current`` (a snapshot taken at ``taken_at``).

    Without a previous snapshot every current row is a new version.
    """
    columns = list(TABLES[history.table].columns)
    current = conform(history.table, current)
    previous = empty_table(history.table) if previous is None else conform(history.table, previous)
    key = _quote(history.key)
    state = ", ".join(f"{_quote(c)} := t.{_quote(c)}" for c in columns)
    select = ", ".join(f"c.{_quote(c)}" for c in columns)
    tombstone = ", ".join(f"p.{key}" if c == history.key else f"NULL::{_duckdb_type(history.table, c)} AS {_quote(c)}" for c in columns)
    with duckdb.connect() as connection:
        connection.register("current_rows", current)
        connection.register("previous_rows", previous)
        changes = connection.sql(
            f"""
            WITH cur AS (SELECT {key}, struct_pack({state}) AS state FROM current_rows t),
                 prev AS (SELECT {key}, struct_pack({state}) AS state FROM previous_rows t)
            SELECT {select}, $taken_at AS snapshot_at, 'version' AS change
            FROM current_rows c
            JOIN cur ON cur.{key} = c.{key}
            LEFT JOIN prev ON prev.{key} = c.{key}
            WHERE prev.{key} IS NULL OR prev.state IS DISTINCT FROM cur.state
            UNION ALL
            SELECT {tombstone}, $taken_at AS snapshot_at, 'deleted' AS change
            FROM previous_rows p
            WHERE p.{key} NOT IN (SELECT {key} FROM current_rows)
            ORDER BY 1
            """,
            params={"taken_at": taken_at.astimezone(timezone.utc)},
        ).to_arrow_table()
    return conform(history.changes, changes)


def _duckdb_type(table: str, column: str) -> str:
    from relate_pipeline.warehouse.build import duckdb_type

    return duckdb_type(TABLES[table].schema.field(column).type)


def _day(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).date().isoformat()


def _append(lake: Lake, history: History, day: str, changes: pa.Table) -> None:
    """Add changes to their day's file; a day holds every snapshot of that UTC day that changed something."""
    stored = lake.read_partition(history.changes, day)
    lake.write_partition(history.changes, day, changes if stored is None else pa.concat_tables([stored, changes]))


def record_history(lake: Lake, snapshots: dict[str, pa.Table], taken_at: datetime) -> dict[str, int]:
    """Write the changes each history table's new snapshot brings, before the snapshot replaces the stored
    one; returns the change rows written per history.

    The first run over a data dir with a snapshot but no history writes the stored snapshot first,
    as of its file's time, so the history starts from what the data dir already held.
    """
    written = {}
    for history in HISTORIES:
        previous = lake.read_snapshot(history.table)
        if previous is not None and not lake.partitions(history.changes):
            stored_at = datetime.fromtimestamp(lake.snapshot_modified_ns(history.table) / 1e9, tz=timezone.utc)
            _append(lake, history, _day(stored_at), snapshot_changes(history, None, previous, stored_at))
        changes = snapshot_changes(history, previous, snapshots[history.table], taken_at)
        if changes.num_rows:
            _append(lake, history, _day(taken_at), changes)
        written[history.changes] = changes.num_rows
    return written
