"""The Parquet lake: one file per (table, day) or per snapshot, replaced atomically, on any fsspec filesystem.

Atomic replacement is what makes re-runs and crashes safe: a partition is always either
the previous complete file or the new complete file, never a half-written one, so readers
(DuckDB views, the next pipeline step) need no locking.  Table names and dates are
validated before they become path segments, so nothing from the API ever shapes a path.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date as _date

import fsspec.core
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from relate_pipeline.tables import TableSpec, conform, spec

PARTITION_FILE = "part.parquet"
SNAPSHOT_FILE = "snapshot.parquet"
COMPRESSION = "zstd"

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TEMP_RE = re.compile(r"\.(?P<final>[^/]+\.parquet)\.(?P<pid>\d+)\.[0-9a-f]{32}\.tmp")


@dataclass(frozen=True)
class WriteResult:
    path: str
    rows: int
    bytes: int


def validate_date(value: str) -> str:
    """A partition date must be a real calendar day written YYYY-MM-DD."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError(f"partition date must be written YYYY-MM-DD, got {value!r}")
    try:
        _date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"partition date {value!r} is not a calendar day") from None
    return value


def dictionary_columns(table_spec: TableSpec) -> list[str]:
    """The columns worth dictionary pages: the string ids a table is keyed on.

    Ids repeat (a transcript carries its recording id on every word); free text and response
    bodies do not, and for them Parquet builds a dictionary only to abandon it once it grows too
    large. Restricting dictionaries to the key's string columns writes the meeting tables about
    twice as fast and a third smaller.
    """
    return [f.name for f in table_spec.schema if f.name in table_spec.key and pa.types.is_string(f.type)]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lake:
    """A directory (or bucket prefix) of Parquet tables laid out as ``<table>/date=YYYY-MM-DD/part.parquet``."""

    def __init__(self, root: str):
        if not isinstance(root, (str, os.PathLike)) or not str(root).strip():
            raise ValueError(f"lake root must be a non-empty path or URL, got {root!r}")
        fs, path = fsspec.core.url_to_fs(str(root))
        self._fs = fs
        self._local = isinstance(fs, LocalFileSystem)
        self._path = path.rstrip("/") or "/"
        self.root = self._path if self._local else fs.unstrip_protocol(self._path)

    def __repr__(self) -> str:
        return f"Lake({self.root!r})"

    # ------------------------------------------------------------------ paths
    def _table_dir(self, table_spec: TableSpec) -> str:
        return f"{self._path}/{table_spec.name}"

    def _partition_dir(self, table: str, date: str) -> tuple[TableSpec, str]:
        table_spec = spec(table)
        if not table_spec.partitioned:
            raise ValueError(f"table {table!r} is not partitioned; use write_snapshot/read_snapshot")
        return table_spec, f"{self._table_dir(table_spec)}/date={validate_date(date)}"

    def _snapshot_dir(self, table: str) -> tuple[TableSpec, str]:
        table_spec = spec(table)
        if table_spec.partitioned:
            raise ValueError(f"table {table!r} is partitioned by date; use write_partition/read_partition")
        return table_spec, self._table_dir(table_spec)

    def _url(self, path: str) -> str:
        return path if self._local else self._fs.unstrip_protocol(path)

    def parquet_glob(self, table: str) -> str:
        """What DuckDB reads: only published files, never a writer's temporary file."""
        table_spec = spec(table)
        if table_spec.partitioned:
            return self._url(f"{self._table_dir(table_spec)}/date=*/{PARTITION_FILE}")
        return self._url(f"{self._table_dir(table_spec)}/{SNAPSHOT_FILE}")

    # ----------------------------------------------------------------- writes
    def write_partition(self, table: str, date: str, batches: pa.Table | Iterable[pa.Table]) -> WriteResult:
        """Replace one day of a table; an empty input publishes an empty file so stale rows go away."""
        table_spec, directory = self._partition_dir(table, date)
        return self._write(table_spec, directory, PARTITION_FILE, batches)

    def write_snapshot(self, table: str, batches: pa.Table | Iterable[pa.Table]) -> WriteResult:
        """Replace the whole snapshot of an unpartitioned table."""
        table_spec, directory = self._snapshot_dir(table)
        return self._write(table_spec, directory, SNAPSHOT_FILE, batches)

    def open_partition(self, table: str, date: str) -> PartitionFile:
        """A partition file to fill batch by batch; publish() replaces the partition, discard() drops it.

        For writers whose batches arrive from something that is not an iterator (an async
        fan-out), so a partition never has to be held in memory whole.
        """
        table_spec, directory = self._partition_dir(table, date)
        return PartitionFile(self, table_spec, directory, PARTITION_FILE)

    def _write(
        self,
        table_spec: TableSpec,
        directory: str,
        final_name: str,
        batches: pa.Table | pa.RecordBatch | Iterable[pa.Table | pa.RecordBatch],
    ) -> WriteResult:
        if isinstance(batches, (pa.Table, pa.RecordBatch)):
            batches = [batches]
        with PartitionFile(self, table_spec, directory, final_name) as file:
            for position, batch in enumerate(batches):
                file.write(batch, position)
        return file.result

    def _discard(self, path: str) -> None:
        try:
            self._fs.rm_file(path)
        except FileNotFoundError:
            pass

    def _clean_stale_temps(self, directory: str, final_name: str) -> None:
        """Remove temp files a killed writer left behind, sparing live writers on this machine."""
        for entry in self._fs.ls(directory, detail=False):
            match = _TEMP_RE.fullmatch(entry.rsplit("/", 1)[-1])
            if match is None or match["final"] != final_name:
                continue
            if self._local and _pid_alive(int(match["pid"])):
                continue
            self._discard(entry)

    # ------------------------------------------------------------------ reads
    def read_partition(self, table: str, date: str) -> pa.Table | None:
        """One day of a table as stored (no ``date`` column); None when never written."""
        _, directory = self._partition_dir(table, date)
        return self._read(f"{directory}/{PARTITION_FILE}")

    def read_snapshot(self, table: str) -> pa.Table | None:
        _, directory = self._snapshot_dir(table)
        return self._read(f"{directory}/{SNAPSHOT_FILE}")

    def iter_partition(
        self, table: str, date: str, batch_rows: int, columns: list[str] | None = None
    ) -> Iterator[pa.Table]:
        """One day of a table in batches of at most ``batch_rows`` rows; nothing when never written.

        Memory stays bounded by the batch, not the partition, when the file was written in row
        groups of about that size (``open_partition`` writes one row group per batch).
        """
        if isinstance(batch_rows, bool) or not isinstance(batch_rows, int) or batch_rows < 1:
            raise ValueError(f"batch_rows must be a positive integer, got {batch_rows!r}")
        _, directory = self._partition_dir(table, date)
        try:
            source = self._fs.open(f"{directory}/{PARTITION_FILE}", "rb")
        except FileNotFoundError:
            return
        with source, pq.ParquetFile(source) as parquet:
            for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
                yield pa.Table.from_batches([batch])

    def _read(self, path: str) -> pa.Table | None:
        try:
            with self._fs.open(path, "rb") as source:
                return pq.read_table(source)
        except FileNotFoundError:
            return None

    def modified_ns(self, table: str, date: str) -> int | None:
        """When a day's published file was last replaced, in ns since the epoch; None when never written.

        A file left alone keeps its time, so comparing two tables' times tells whether one was
        written from the other's current content.
        """
        _, directory = self._partition_dir(table, date)
        path = f"{directory}/{PARTITION_FILE}"
        try:
            if self._local:
                return os.stat(path).st_mtime_ns
            return int(self._fs.modified(path).timestamp() * 1_000_000_000)
        except FileNotFoundError:
            return None

    def partitions(self, table: str) -> list[str]:
        """Dates with a published file, oldest first."""
        table_spec = spec(table)
        if not table_spec.partitioned:
            raise ValueError(f"table {table!r} is not partitioned")
        directory = self._table_dir(table_spec)
        if not self._fs.exists(directory):
            return []
        dates = []
        for entry in self._fs.ls(directory, detail=False):
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            if name.startswith("date=") and _DATE_RE.fullmatch(name[5:]):
                if self._fs.exists(f"{entry.rstrip('/')}/{PARTITION_FILE}"):
                    dates.append(name[5:])
        return sorted(dates)


class PartitionFile:
    """One table file being written: a temp file that batches stream into, one row group each.

    ``publish`` renames it over the final name (all or nothing); leaving a ``with`` block by an
    exception discards it instead, so readers only ever see complete files.
    """

    def __init__(self, lake: Lake, table_spec: TableSpec, directory: str, final_name: str) -> None:
        self._lake = lake
        self._spec = table_spec
        self._directory = directory
        self._final_name = final_name
        self._final = f"{directory}/{final_name}"
        self._temp = f"{directory}/.{final_name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        self.rows = 0
        self.result: WriteResult | None = None
        lake._fs.makedirs(directory, exist_ok=True)
        self._sink = lake._fs.open(self._temp, "wb")
        try:
            self._writer = pq.ParquetWriter(
                self._sink, table_spec.schema, compression=COMPRESSION, use_dictionary=dictionary_columns(table_spec)
            )
        except BaseException:
            self._sink.close()
            lake._discard(self._temp)
            raise

    def __repr__(self) -> str:
        return f"PartitionFile({self._final!r}, rows={self.rows})"

    def __enter__(self) -> PartitionFile:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.publish()
        else:
            self.discard()

    def write(self, batch: pa.Table | pa.RecordBatch, position: int | None = None) -> None:
        """Append one batch as a row group; an empty batch writes nothing."""
        if self.result is not None:
            raise RuntimeError(f"{self!r} is already published")
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        if not isinstance(batch, pa.Table):
            where = "a batch" if position is None else f"batch {position}"
            raise TypeError(
                f"{where} for table {self._spec.name!r} is a {type(batch).__name__}, expected a pyarrow.Table"
            )
        conformed = conform(self._spec.name, batch)
        if conformed.num_rows:
            self._writer.write_table(conformed)
            self.rows += conformed.num_rows

    def publish(self) -> WriteResult:
        if self.result is not None:
            return self.result
        lake = self._lake
        try:
            self._writer.close()
            if lake._local:
                self._sink.flush()
                os.fsync(self._sink.fileno())
            self._sink.close()
            if lake._local:
                os.replace(self._temp, self._final)
            else:
                # Object stores publish an object only once its upload completes, so the
                # move exposes the same all-or-nothing file a local rename does.
                lake._fs.mv(self._temp, self._final)
        except BaseException:
            self.discard()
            raise
        lake._clean_stale_temps(self._directory, self._final_name)
        self.result = WriteResult(path=lake._url(self._final), rows=self.rows, bytes=int(lake._fs.size(self._final)))
        return self.result

    def discard(self) -> None:
        if self.result is not None:
            return
        for close in (self._writer.close, self._sink.close):
            try:
                close()
            except Exception:
                # Closing a half-written file can fail in many ways; the file is deleted next anyway.
                continue
        self._lake._discard(self._temp)
