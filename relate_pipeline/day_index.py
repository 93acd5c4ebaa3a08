"""The day index: which day of the lake holds each event id and recording id, and each meeting
table's rows per day, kept in one small file beside the days (``day_index`` in the lake).

It lets a run check that no key lives on two days, and report history totals, without reading
the history: each entry carries the identity of the file it was read from (the same identity the
warehouse fingerprint uses), and :func:`refresh_day_index` lists the meeting tables' files (one
listing per table, no file opened) and re-reads only the days whose file is new, replaced or gone.
The index is therefore never trusted blindly: a run killed after rewriting days but before the
index was written, a file replaced by hand, or an index written by another process over a newer
one all show up as entries whose identity no longer matches, and those days are read again. A
missing or unreadable index (a data dir from before the index, a damaged file) is rebuilt from
the files, and the caller is told why so it can log it.

The raw store keeps an index of the same shape for ``raw_calendar_events`` alone
(:func:`refresh_raw_index`): where each listed event is held, which extraction needs to find the
days a meeting moved from, anywhere in history.

Only ``calendar_events``, ``recordings`` and ``deleted_events`` keep their ids: every other
meeting table's rows of a day are flattened from the same raw day in the same pass and checked
there to belong to that day's events and recordings (``unique_keys``, ``rows_have_recordings``),
so an id held by one day only also keys rows on that day only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from relate_pipeline.integrity import DamagedFile
from relate_pipeline.lake import Lake
from relate_pipeline.tables import MEETING_TABLES, TABLES

INDEX_TABLE = "day_index"
KEYED_TABLES: dict[str, str] = {"calendar_events": "event_id", "recordings": "recording_id", "deleted_events": "event_id"}
RAW_KEYED_TABLES: dict[str, str] = {"raw_calendar_events": "event_id"}
"""The raw store keeps an index of its own (``raw/day_index``): which day holds each listed event."""


@dataclass(frozen=True)
class DayEntry:
    """One meeting table's file of one day, as it was when read; ``complete`` when it has every
    column of the table's schema (a file written before a column was added has not)."""

    stamp: str
    rows: int
    complete: bool
    ids: tuple[str, ...] | None = None


@dataclass
class DayIndex:
    """The index as refreshed against the lake's files.

    ``read_days`` are the days whose files were (re)read this time: rewritten since the last
    refresh, or all of them when the index was rebuilt, for which ``rebuilt`` says why.
    """

    entries: dict[tuple[str, str], DayEntry]
    read_days: list[str] = field(default_factory=list)
    dropped_days: list[str] = field(default_factory=list)
    rebuilt: str | None = None

    def rows(self, table: str, first: str | None = None, last: str | None = None) -> int:
        """Rows of a meeting table over all days, or over the days from ``first`` to ``last`` (inclusive)."""
        return sum(
            entry.rows
            for (name, day), entry in self.entries.items()
            if name == table and (first is None or day >= first) and (last is None or day <= last)
        )

    def has_every_column(self, table: str) -> bool:
        """Whether every file of the table has every column of its schema (true when it has none)."""
        return all(entry.complete for (name, _), entry in self.entries.items() if name == table)

    def table_days(self, table: str) -> list[str]:
        return sorted(day for name, day in self.entries if name == table)

    def days(self) -> list[str]:
        return sorted({day for _, day in self.entries})

    def holders(self, table: str) -> dict[str, set[str]]:
        """Every id of a keyed table and the days holding it."""
        held: dict[str, set[str]] = defaultdict(set)
        for (name, day), entry in self.entries.items():
            if name == table:
                for key in entry.ids or ():
                    held[key].add(day)
        return dict(held)

    def repeated_ids(self, table: str) -> dict[str, list[str]]:
        """Ids of a keyed table held by more than one day, with those days."""
        return {key: sorted(days) for key, days in self.holders(table).items() if len(days) > 1}

    def cross_day_duplicates(self) -> dict[str, int]:
        """Per keyed table, the rows whose id another day of the lake also holds (every holding but one)."""
        return {table: sum(len(days) - 1 for days in self.repeated_ids(table).values()) for table in KEYED_TABLES}


def _stamp(identity: tuple) -> str:
    """The file's identity without its path: the entry's table and day already say where it is, so a
    data dir moved or hard-linked elsewhere keeps its index."""
    return json.dumps(identity[1:], default=str)


def _read_entry(lake: Lake, table: str, day: str, stamp: str, keyed: dict[str, str]) -> DayEntry | None:
    """The file's rows and columns (from its footer) and, for a keyed table, its ids; None when it vanished meanwhile."""
    schema = lake.partition_schema(table, day)
    if schema is None:
        return None
    complete = set(TABLES[table].schema.names) <= set(schema.names)
    column = keyed.get(table)
    if column is None:
        rows = lake.partition_rows(table, day)
        return None if rows is None else DayEntry(stamp, rows, complete)
    ids = [key for batch in lake.iter_partition(table, day, 100_000, columns=[column]) for key in batch.column(column).to_pylist()]
    return DayEntry(stamp, len(ids), complete, tuple(ids))

def refresh_raw_index(raw: Lake) -> DayIndex:
    """The raw store's own index: which day holds each listed event, read again only where a day changed."""
    return refresh_day_index(raw, tuple(RAW_KEYED_TABLES), RAW_KEYED_TABLES)


def load_day_index(lake: Lake) -> tuple[dict[tuple[str, str], DayEntry], str | None]:
    """The stored entries, and why there are none when the file cannot be used: missing, unreadable or of another format."""
    try:
        table = lake.read_snapshot(INDEX_TABLE)
    except DamagedFile as damage:
        return {}, f"unreadable ({damage.problem})"
    if table is None:
        return {}, "missing"
    if not table.schema.equals(TABLES[INDEX_TABLE].schema):
        return {}, "written with other columns"
    columns = [table.column(name).to_pylist() for name in ("table_name", "date", "file_stamp", "row_count", "complete", "ids")]
    entries = {
        (name, day): DayEntry(stamp, rows, complete, None if ids is None else tuple(ids))
        for name, day, stamp, rows, complete, ids in zip(*columns)
    }
    return entries, None


def _table(entries: dict[tuple[str, str], DayEntry]) -> pa.Table:
    ordered = sorted(entries.items())
    return pa.table(
        {
            "table_name": [name for (name, _), _ in ordered],
            "date": [day for (_, day), _ in ordered],
            "file_stamp": [entry.stamp for _, entry in ordered],
            "row_count": [entry.rows for _, entry in ordered],
            "complete": [entry.complete for _, entry in ordered],
            "ids": pa.array([None if entry.ids is None else list(entry.ids) for _, entry in ordered], type=pa.list_(pa.string())),
        },
        schema=TABLES[INDEX_TABLE].schema,
    )


def refresh_day_index(
    lake: Lake, tables: tuple[str, ...] = MEETING_TABLES, keyed: dict[str, str] = KEYED_TABLES
) -> DayIndex:
    """The index made to agree with the ``tables``' files, written back when anything changed.

    A file's identity is listed before the file is read, so a file replaced in between is stored
    with its older identity and read again next time: an entry can be stale, never wrongly current.
    """
    stored, rebuilt = load_day_index(lake)
    entries: dict[tuple[str, str], DayEntry] = {}
    read_days: set[str] = set()
    for table in tables:
        for day, identity in lake.file_stamps(table).items():
            stamp = _stamp(identity)
            entry = stored.get((table, day))
            if entry is None or entry.stamp != stamp:
                entry = _read_entry(lake, table, day, stamp, keyed)
                read_days.add(day)
            if entry is not None:
                entries[(table, day)] = entry
    dropped = sorted({day for (table, day) in stored if (table, day) not in entries} - read_days)
    if rebuilt is not None or read_days or dropped:
        lake.write_snapshot(INDEX_TABLE, _table(entries))
    return DayIndex(entries, sorted(read_days), dropped, rebuilt)
