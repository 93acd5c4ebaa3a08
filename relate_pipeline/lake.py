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
from collections.abc import Iterable
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

    def _write(
        self,
        table_spec: TableSpec,
        directory: str,
        final_name: str,
        batches: pa.Table | pa.RecordBatch | Iterable[pa.Table | pa.RecordBatch],
    ) -> WriteResult:
        if isinstance(batches, (pa.Table, pa.RecordBatch)):
            batches = [batches]
        final = f"{directory}/{final_name}"
        temp = f"{directory}/.{final_name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        self._fs.makedirs(directory, exist_ok=True)
        try:
            rows = self._stream(table_spec, temp, batches)
            if self._local:
                os.replace(temp, final)
            else:
                # Object stores publish an object only once its upload completes, so the
                # move exposes the same all-or-nothing file a local rename does.
                self._fs.mv(temp, final)
        except BaseException:
            self._discard(temp)
            raise
        self._clean_stale_temps(directory, final_name)
        return WriteResult(path=self._url(final), rows=rows, bytes=int(self._fs.size(final)))

    def _stream(self, table_spec: TableSpec, temp: str, batches: Iterable) -> int:
        rows = 0
        with self._fs.open(temp, "wb") as sink:
            with pq.ParquetWriter(sink, table_spec.schema, compression=COMPRESSION) as writer:
                for position, batch in enumerate(batches):
                    if isinstance(batch, pa.RecordBatch):
                        batch = pa.Table.from_batches([batch])
                    if not isinstance(batch, pa.Table):
                        raise TypeError(
                            f"batch {position} for table {table_spec.name!r} is a "
                            f"{type(batch).__name__}, expected a pyarrow.Table"
                        )
                    conformed = conform(table_spec.name, batch)
                    if conformed.num_rows:
                        writer.write_table(conformed)
                        rows += conformed.num_rows
            if self._local:
                sink.flush()
                os.fsync(sink.fileno())
        return rows

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

    def _read(self, path: str) -> pa.Table | None:
        try:
            with self._fs.open(path, "rb") as source:
                return pq.read_table(source)
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
