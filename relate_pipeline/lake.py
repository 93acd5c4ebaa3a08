"""The Parquet lake: one file per (table, day) or per snapshot, replaced atomically, on local disk or an object store.

Atomic replacement is what makes re-runs and crashes safe: a partition is always either
the previous complete file or the new complete file, never a half-written one, so readers
(DuckDB views, the next pipeline step) need no locking. On local disk a file is written beside
its final name and renamed over it; on an object store (``s3://``, ``gs://``, ``az://``) it is
uploaded with one PUT of its final key, which the store publishes whole or not at all, so no
temporary object ever exists there. Table names and dates are validated before they become
path segments, so nothing from the API ever shapes a path.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date as _date

import fsspec.core
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from relate_pipeline.integrity import DamagedFile, StorageError, one_line, schema_problem
from relate_pipeline.tables import TableSpec, conform, spec

PARTITION_FILE = "part.parquet"
SNAPSHOT_FILE = "snapshot.parquet"
COMPRESSION = "zstd"
MISSING = "missing"
"""What ``Lake.verify`` says of a file that is not there."""

_OBJECT_STAMP_FIELDS = ("ETag", "etag", "LastModified", "last_modified", "mtime", "generation", "md5Hash", "updated")
"""What an object store's listing says about an object's version, for the stores fsspec reaches."""
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TEMP_RE = re.compile(r"\.(?P<final>[^/]+\.parquet)\.(?P<pid>\d+)\.[0-9a-f]{32}\.tmp")

STALE_TEMP_SECONDS = 3600
"""How old an empty, unlocked temp file must be before it counts as abandoned.

A writer holds an exclusive lock on its temp file from just after creating it until it is renamed,
and writes nothing before locking; the kernel drops a dead process's locks (also for other hosts
sharing the disk through a filesystem with working locks, such as NFSv4). So an unlocked file with
bytes in it belongs to a dead writer, and only an empty one may be a writer between its create and
its lock. The file's name carries its writer's pid: an empty file whose writer is no longer a
process on this host is abandoned at once; otherwise (a live pid, perhaps reused, or a writer on
another host) this age rules the window out."""


class _WrongSchema(Exception):
    """A readable Parquet file holding another table's columns."""


_UNREADABLE = (pa.ArrowException, OSError, _WrongSchema)
"""What reading a damaged file raises: pyarrow's errors (truncated, empty, garbage, corrupt
pages), the filesystem's, and a foreign schema. A missing file is told apart before these."""


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

    @property
    def filesystem(self) -> fsspec.AbstractFileSystem | None:
        """The fsspec filesystem DuckDB must have registered to read this lake; None on local disk."""
        return None if self._local else self._fs

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

    def remove_abandoned_temps(self, dates: Iterable[str]) -> None:
        """Remove the temp files killed writers left beside the days' partitions of every table.

        Publishing a partition cleans its own directory, but a day that a later run finds unchanged
        is never written again, so a run sweeps its days once. Object stores hold no temp object;
        a live writer's file (locked) is never touched.
        """
        if not self._local:
            return
        days = [validate_date(date) for date in dates]
        for name in self._fs.ls(self._path, detail=False) if self._fs.isdir(self._path) else ():
            for date in days:
                directory = f"{name}/date={date}"
                if os.path.isdir(directory):
                    for entry in os.scandir(directory):
                        match = _TEMP_RE.fullmatch(entry.name)
                        if match is not None:
                            _remove_if_abandoned(entry.path, int(match["pid"]))

    def _clean_stale_temps(self, directory: str, final_name: str) -> None:
        """Remove local temp files that killed writers left behind; a live writer's file is never touched."""
        for entry in os.scandir(directory):
            match = _TEMP_RE.fullmatch(entry.name)
            if match is not None and match["final"] == final_name:
                _remove_if_abandoned(entry.path, int(match["pid"]))

    # ------------------------------------------------------------------ reads
    def read_partition(self, table: str, date: str) -> pa.Table | None:
        """One day of a table as stored (no ``date`` column); None when never written, and
        :class:`DamagedFile` when its file cannot be read as the table."""
        table_spec, directory = self._partition_dir(table, date)
        return self._read(table_spec, f"{directory}/{PARTITION_FILE}")

    def read_snapshot(self, table: str) -> pa.Table | None:
        table_spec, directory = self._snapshot_dir(table)
        return self._read(table_spec, f"{directory}/{SNAPSHOT_FILE}")

    def iter_partition(
        self, table: str, date: str, batch_rows: int, columns: list[str] | None = None
    ) -> Iterator[pa.Table]:
        """One day of a table in batches of at most ``batch_rows`` rows; nothing when never written.

        Memory stays bounded by the batch, not the partition, when the file was written in row
        groups of about that size (``open_partition`` writes one row group per batch). A file that
        cannot be read, or is not of the table's schema, raises :class:`DamagedFile`, also when
        the damage is met only after the first batches.
        """
        if isinstance(batch_rows, bool) or not isinstance(batch_rows, int) or batch_rows < 1:
            raise ValueError(f"batch_rows must be a positive integer, got {batch_rows!r}")
        table_spec, directory = self._partition_dir(table, date)
        path = f"{directory}/{PARTITION_FILE}"
        try:
            source = self._fs.open(path, "rb")
        except FileNotFoundError:
            return
        try:
            with source, self._parquet_file(source, table_spec) as parquet:
                if 0 < parquet.metadata.num_rows <= batch_rows:
                    yield parquet.read(columns=columns, use_threads=False)
                    return
                for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns, use_threads=False):
                    yield pa.Table.from_batches([batch])
        except _UNREADABLE as error:
            raise DamagedFile(self._url(path), one_line(error)) from None

    def _parquet_file(self, source, table_spec: TableSpec) -> pq.ParquetFile:
        """A reader sized for a partition file (tens of kilobytes to a few megabytes), refusing a
        file whose schema is not the table's.

        For files that small, pyarrow's column threads and, on a local disk, its pre-buffering of
        read ranges cost more than they save (docs/benchmarks.md, "Reading the stores"); the
        pipeline reads days in parallel itself. Pre-buffering stays for object storage, where it
        turns many small range requests into a few.
        """
        parquet = pq.ParquetFile(source, pre_buffer=not self._local)
        problem = schema_problem(parquet.schema_arrow, table_spec)
        if problem is not None:
            parquet.close()
            raise _WrongSchema(problem)
        return parquet

    def _read(self, table_spec: TableSpec, path: str) -> pa.Table | None:
        try:
            with self._fs.open(path, "rb") as source, self._parquet_file(source, table_spec) as parquet:
                return parquet.read(use_threads=False)
        except FileNotFoundError:
            return None
        except _UNREADABLE as error:
            raise DamagedFile(self._url(path), one_line(error)) from None

    def _file(self, table: str, date: str | None) -> tuple[TableSpec, str]:
        if date is None:
            table_spec, directory = self._snapshot_dir(table)
            return table_spec, f"{directory}/{SNAPSHOT_FILE}"
        table_spec, directory = self._partition_dir(table, date)
        return table_spec, f"{directory}/{PARTITION_FILE}"

    def file_url(self, table: str, date: str | None = None) -> str:
        """Where a table's file of a day (or its snapshot) is, whether or not it exists."""
        return self._url(self._file(table, date)[1])

    def verify(self, table: str, date: str | None = None, deep: bool = False) -> str | None:
        """What is wrong with a table's file of a day (or its snapshot): None when it reads as the
        table, ``"missing"`` when there is none.

        Without ``deep`` only the footer and the schema are read, which finds a truncated, empty or
        foreign file; ``deep`` decodes every page as well, which also finds damage inside a file.
        """
        table_spec, path = self._file(table, date)
        try:
            with self._fs.open(path, "rb") as source, self._parquet_file(source, table_spec) as parquet:
                if deep:
                    for _ in parquet.iter_batches(batch_size=65_536, use_threads=False):
                        pass
        except FileNotFoundError:
            return MISSING
        except _UNREADABLE as error:
            return one_line(error)
        return None

    def modified_ns(self, table: str, date: str) -> int | None:
        """When a day's published file was last replaced, in ns since the epoch; None when never written.

        A file left alone keeps its time, so comparing two tables' times tells whether one was
        written from the other's current content.
        """
        _, directory = self._partition_dir(table, date)
        return self._modified_ns(f"{directory}/{PARTITION_FILE}")

    def _modified_ns(self, path: str) -> int | None:
        try:
            if self._local:
                return os.stat(path).st_mtime_ns
            return int(self._fs.modified(path).timestamp() * 1_000_000_000)
        except FileNotFoundError:
            return None

    def file_stamps(self, table: str) -> dict[str, tuple]:
        """Every published file of the table, by day (or ``SNAPSHOT_FILE`` for a snapshot), with what
        changes when it is replaced.

        A local file is replaced by renaming a new file over it, so its inode changes even when its
        size and modification time would not; an object store's listing gives its version (ETag and
        time). One listing for the whole table, no file is opened.
        """
        pattern = self.parquet_glob(table)
        if self._local:
            stamps = {}
            for path in sorted(glob.glob(pattern)):
                try:
                    status = os.stat(path)
                except FileNotFoundError:
                    continue
                stamps[_file_day(path)] = (path, status.st_ino, status.st_size, status.st_mtime_ns)
            return stamps
        self._fs.invalidate_cache()
        found = self._fs.glob(self._fs._strip_protocol(pattern), detail=True)
        return {
            _file_day(path): (path, info.get("size"), *(str(info[name]) for name in _OBJECT_STAMP_FIELDS if name in info))
            for path, info in sorted(found.items())
        }

    def partition_rows(self, table: str, date: str) -> int | None:
        """A day's row count from its file's footer; None when never written."""
        return self._footer_rows(*self._file(table, date))

    def partition_schema(self, table: str, date: str) -> pa.Schema | None:
        """A day's file's schema, from its footer; None when never written."""
        _, directory = self._partition_dir(table, date)
        path = f"{directory}/{PARTITION_FILE}"
        try:
            with self._fs.open(path, "rb") as source, pq.ParquetFile(source) as parquet:
                return parquet.schema_arrow
        except FileNotFoundError:
            return None
        except _UNREADABLE as error:
            raise DamagedFile(self._url(path), one_line(error)) from None

    def snapshot_rows(self, table: str) -> int | None:
        """A snapshot's row count from its file's footer; None when never written."""
        return self._footer_rows(*self._file(table, None))

    def _footer_rows(self, table_spec: TableSpec, path: str) -> int | None:
        try:
            with self._fs.open(path, "rb") as source, self._parquet_file(source, table_spec) as parquet:
                return parquet.metadata.num_rows
        except FileNotFoundError:
            return None
        except _UNREADABLE as error:
            raise DamagedFile(self._url(path), one_line(error)) from None

    def snapshot_modified_ns(self, table: str) -> int | None:
        """When a snapshot's file was last replaced, in ns since the epoch; None when never written."""
        _, directory = self._snapshot_dir(table)
        return self._modified_ns(f"{directory}/{SNAPSHOT_FILE}")

    def partitions(self, table: str) -> list[str]:
        """Dates with a published file, oldest first."""
        table_spec = spec(table)
        if not table_spec.partitioned:
            raise ValueError(f"table {table!r} is not partitioned")
        directory = self._table_dir(table_spec)
        if not self._fs.exists(directory):
            return []
        dates = []
        self._fs.invalidate_cache(directory)
        for entry in self._fs.ls(directory, detail=False):
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            if name.startswith("date=") and _DATE_RE.fullmatch(name[5:]):
                if self._fs.exists(f"{entry.rstrip('/')}/{PARTITION_FILE}"):
                    dates.append(name[5:])
        return sorted(dates)

    def dates_before(self, table: str, cutoff: str) -> list[str]:
        """Dates before ``cutoff`` that have a folder (published or not), oldest first.

        One listing of the table's folder and no request per day, so purging old days costs the
        days purged, not a look at every day kept.
        """
        table_spec = spec(table)
        if not table_spec.partitioned:
            raise ValueError(f"table {table!r} is not partitioned")
        cutoff = validate_date(cutoff)
        directory = self._table_dir(table_spec)
        self._fs.invalidate_cache(directory)
        try:
            entries = self._fs.ls(directory, detail=False)
        except FileNotFoundError:
            return []
        names = (entry.rstrip("/").rsplit("/", 1)[-1] for entry in entries)
        return sorted(name[5:] for name in names if name.startswith("date=") and _DATE_RE.fullmatch(name[5:]) and name[5:] < cutoff)

    def remove_partition(self, table: str, date: str) -> bool:
        """Delete one day of a table: its published file, then on local disk its folder with any
        abandoned temp file. Returns whether a published file was there. Each file is gone or
        still whole, so a removal interrupted half-way is finished by calling it again."""
        _, directory = self._partition_dir(table, date)
        path = f"{directory}/{PARTITION_FILE}"
        try:
            self._fs.rm_file(path)
            removed = True
        except FileNotFoundError:
            removed = False
        if self._local and os.path.isdir(directory):
            self._clean_stale_temps(directory, PARTITION_FILE)
            try:
                os.rmdir(directory)
            except OSError:
                # A live writer's temp file is still there; its own publish or discard ends it.
                pass
        else:
            self._fs.invalidate_cache(directory)
        return removed


def _file_day(path: str) -> str:
    """The day a partition file holds, from its ``date=`` directory; ``SNAPSHOT_FILE`` for a snapshot."""
    directory = path.rsplit("/", 2)
    return directory[-2][5:] if len(directory) == 3 and directory[-2].startswith("date=") else SNAPSHOT_FILE


def _remove_if_abandoned(path: str, writer_pid: int) -> None:
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        status = os.fstat(handle.fileno())
        if status.st_size == 0 and _is_running(writer_pid) and time.time() - status.st_mtime < STALE_TEMP_SECONDS:
            return
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _is_running(pid: int) -> bool:
    """Whether ``pid`` names a process on this host (a zombie, not yet reaped, still counts)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


class _LocalSink:
    """A locked temp file beside the final name, fsynced and renamed over it on publish."""

    def __init__(self, directory: str, final_name: str) -> None:
        os.makedirs(directory, exist_ok=True)
        self.final = f"{directory}/{final_name}"
        self.temp = f"{directory}/.{final_name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        self.stream = open(self.temp, "xb")
        fcntl.flock(self.stream, fcntl.LOCK_EX)

    def started(self) -> None:
        """The file's first bytes (Parquet's magic) reach the disk: from now on it is non-empty and locked."""
        self.stream.flush()

    def publish(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        os.replace(self.temp, self.final)
        self.stream.close()

    def discard(self) -> None:
        """Close and remove the temp file; closing flushes what is buffered, which a full disk
        refuses, and the file goes all the same."""
        try:
            self.stream.close()
        except OSError:
            pass
        try:
            os.unlink(self.temp)
        except FileNotFoundError:
            pass


class _ObjectSink:
    """The file's bytes in memory, uploaded with one PUT of the final key on publish.

    Nothing reaches the store before ``publish``, so a killed writer leaves nothing behind, and
    the store shows the old object until the new one has arrived whole.
    """

    def __init__(self, fs: fsspec.AbstractFileSystem, final: str) -> None:
        self._fs = fs
        self.final = final
        self.stream = pa.BufferOutputStream()

    def started(self) -> None:
        """Nothing to show before publishing."""

    def publish(self) -> None:
        self._fs.pipe_file(self.final, self.stream.getvalue().to_pybytes())

    def discard(self) -> None:
        self.stream = None


class PartitionFile:
    """One table file being written, batch by batch, one row group each.

    ``publish`` replaces the final file all at once (a rename on local disk, one PUT on an object
    store); leaving a ``with`` block by an exception discards it instead, so readers only ever see
    complete files.
    """

    def __init__(self, lake: Lake, table_spec: TableSpec, directory: str, final_name: str) -> None:
        self._lake = lake
        self._spec = table_spec
        self._directory = directory
        self._final_name = final_name
        self._final = f"{directory}/{final_name}"
        self.rows = 0
        self.result: WriteResult | None = None
        self._failure: StorageError | None = None
        self._discarded = False
        try:
            self._sink = _LocalSink(directory, final_name) if lake._local else _ObjectSink(lake._fs, self._final)
        except OSError as error:
            raise StorageError(lake._url(self._final), error) from None
        try:
            self._writer = pq.ParquetWriter(
                self._sink.stream, table_spec.schema, compression=COMPRESSION, use_dictionary=dictionary_columns(table_spec)
            )
            self._sink.started()
        except BaseException as error:
            self._sink.discard()
            self._refused(error)
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
        self._refuse_if_discarded()
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        if not isinstance(batch, pa.Table):
            where = "a batch" if position is None else f"batch {position}"
            raise TypeError(
                f"{where} for table {self._spec.name!r} is a {type(batch).__name__}, expected a pyarrow.Table"
            )
        conformed = conform(self._spec.name, batch)
        if conformed.num_rows:
            try:
                self._writer.write_table(conformed)
            except OSError as error:
                self.discard()
                self._refused(error)
                raise
            self.rows += conformed.num_rows

    def _refused(self, error: BaseException) -> None:
        """A write the filesystem refused (full, read-only, no permission) becomes one line naming the file."""
        if isinstance(error, OSError):
            self._failure = StorageError(self._lake._url(self._final), error)
            raise self._failure from None

    def _refuse_if_discarded(self) -> None:
        """A file already discarded (its write was refused) cannot be written or published: say why once more."""
        if self._failure is not None:
            raise self._failure
        if self._discarded:
            raise RuntimeError(f"{self!r} was discarded")

    def publish(self) -> WriteResult:
        if self.result is not None:
            return self.result
        lake = self._lake
        self._refuse_if_discarded()
        try:
            self._writer.close()
            self._sink.publish()
        except BaseException as error:
            self.discard()
            self._refused(error)
            raise
        if lake._local:
            lake._clean_stale_temps(self._directory, self._final_name)
        self.result = WriteResult(path=lake._url(self._final), rows=self.rows, bytes=int(lake._fs.size(self._final)))
        return self.result

    def discard(self) -> None:
        if self.result is not None or self._discarded:
            return
        self._discarded = True
        try:
            self._writer.close()
        except Exception:
            # Closing a half-written file can fail in many ways; the file is dropped next anyway.
            pass
        self._sink.discard()
