"""Incremental extraction of meeting days: list events, fetch only what changed, keep the raw bytes.

The days of a range are listed concurrently, the done recordings are fanned out concurrently,
and each day's raw responses are written as one partition of the raw store. A recording is
downloaded again only when it is new to that day, its event's ``updated_at`` moved, or its last
fetch failed; everything else is carried over from the previous raw partition. Flattening reads
only the raw store, so it can be re-run without touching the API.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, aclosing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.client import AsyncRelateClient, NotFoundError, RelateError, day_window
from relate_pipeline.flatten import (
    ListedRecording,
    RecordingFetch,
    flatten_events,
    flatten_raw_recordings,
    listed_done_recordings,
    raw_events_table,
    raw_recordings_table,
)
from relate_pipeline.lake import Lake, PartitionFile
from relate_pipeline.quality import done_recording_ids, duplicate_keys, orphans
from relate_pipeline.tables import MEETING_TABLES, RECORDING_TABLES, TABLES

BATCH_RECORDINGS = 100
"""Recordings per raw row group and per flattening batch: about 7 MB of response JSON at ~70 KB a
body, enough for the vectorised flattening to run at full speed, small enough that a run's memory
does not follow the size of a day."""

FLATTEN_WORKERS = 2
"""Days flattened at once; memory is a batch per worker."""

RAW_RECORDING_COLUMNS = tuple(field.name for field in TABLES["raw_recordings"].schema)
CHILD_TABLES = ("recording_topics", "recording_action_items", "transcript_utterances", "summary_fields")


@dataclass
class DayExtract:
    """What one day's extraction found and did; reported as Dagster metadata."""

    events: int = 0
    done_listed: int = 0
    fetched: int = 0
    reused: int = 0
    missing: int = 0


@dataclass
class RangeExtract:
    days: dict[str, DayExtract] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days.values())


def days_between(first_day: date, last_day: date) -> list[str]:
    return [(first_day + timedelta(days=n)).isoformat() for n in range((last_day - first_day).days + 1)]


def _previous_fetches(raw: Lake, day: str) -> dict[str, RecordingFetch]:
    """The day's last fetch outcomes without their bodies; reused bodies are copied later, batch by batch."""
    columns = [name for name in RAW_RECORDING_COLUMNS if name != "body"]
    return {
        row["recording_id"]: RecordingFetch(**row)
        for batch in raw.iter_partition("raw_recordings", day, BATCH_RECORDINGS, columns=columns)
        for row in batch.to_pylist()
    }


def _unchanged(previous: RecordingFetch | None, listed: ListedRecording) -> bool:
    return (
        previous is not None
        and previous.http_status == 200
        and previous.event_updated_at == listed.event_updated_at
    )


class _DayRecordings:
    """One day's new raw_recordings partition, filled a batch at a time as its fetches complete.

    A batch is written once it is full or the day has no fetch left outstanding, on a worker
    thread (Parquet encoding and zstd release the GIL), so the fan-out keeps running meanwhile
    and at most a batch per day is ever held in memory.
    """

    def __init__(self, file: PartitionFile, expected: int) -> None:
        self.file = file
        self.outstanding = expected
        self._pending: list[RecordingFetch] = []

    async def add(self, fetch: RecordingFetch) -> None:
        self._pending.append(fetch)
        self.outstanding -= 1
        if len(self._pending) >= BATCH_RECORDINGS or self.outstanding == 0:
            await self.flush()

    async def flush(self) -> None:
        if self._pending:
            table = raw_recordings_table(self._pending)
            self._pending = []
            await asyncio.to_thread(self.file.write, table)


async def aenumerate(items: AsyncIterator, start: int = 0) -> AsyncIterator[tuple[int, object]]:
    position = start
    async for item in items:
        yield position, item
        position += 1


def _copy_reused(raw: Lake, day: str, reused: set[str], file: PartitionFile) -> None:
    if not reused:
        return
    keep = pa.array(sorted(reused), type=pa.string())
    for batch in raw.iter_partition("raw_recordings", day, BATCH_RECORDINGS):
        file.write(batch.filter(pc.is_in(batch.column("recording_id"), value_set=keep)))


def _publish_day(raw: Lake, day: str, reused: set[str], recordings: PartitionFile, events: list[dict]) -> None:
    _copy_reused(raw, day, reused, recordings)
    recordings.publish()
    raw.write_partition("raw_calendar_events", day, raw_events_table(events))


async def _list_day(client: AsyncRelateClient, day: str, tz: ZoneInfo) -> list[dict]:
    """One day's events. Days are listed concurrently: a range costs the round trips of its
    longest day instead of one after another for every page of the whole range."""
    starts_after, starts_before = day_window(date.fromisoformat(day), date.fromisoformat(day), tz)
    return [event async for event in client.list_calendar_events(starts_after=starts_after, starts_before=starts_before)]


async def extract_meeting_days(
    client: AsyncRelateClient,
    first_day: date,
    last_day: date,
    tz: ZoneInfo,
    raw: Lake,
    on_progress: Callable[[int, int], None] | None = None,
    on_day_extracted: Callable[[str], None] | None = None,
) -> RangeExtract:
    """List the days' events, fetch changed recording details, and replace each day's raw partitions.

    ``on_progress(done, total)`` is called about every tenth of the detail fetches, so a long
    backfill shows it is moving.

    Bodies stream into the new partitions as they arrive. A day is published as soon as its last
    fetch lands (recordings first, then the listed events), so a failed run leaves each day wholly
    new or wholly as it was, and keeps the days it finished. Recordings are fetched in day order,
    so days finish one after another; ``on_day_extracted(day)`` is called for each, letting the
    day be flattened while later days are still being fetched.
    """
    days = days_between(first_day, last_day)
    events_by_day = dict(zip(days, await asyncio.gather(*(_list_day(client, day, tz) for day in days))))
    report = RangeExtract({day: DayExtract(events=len(events_by_day[day])) for day in days})
    reused: dict[str, set[str]] = {day: set() for day in days}
    wanted: dict[str, tuple[str, ListedRecording]] = {}
    for day in days:
        previous = _previous_fetches(raw, day)
        for listed in listed_done_recordings(events_by_day[day]):
            report.days[day].done_listed += 1
            if _unchanged(previous.get(listed.recording_id), listed):
                reused[day].add(listed.recording_id)
                report.days[day].reused += 1
            else:
                wanted[listed.recording_id] = (day, listed)

    async def publish(day: str) -> None:
        await partitions[day].flush()
        await asyncio.to_thread(_publish_day, raw, day, reused[day], partitions[day].file, events_by_day[day])
        if on_day_extracted:
            on_day_extracted(day)

    with ExitStack() as files:
        expected = Counter(day for day, _ in wanted.values())
        partitions = {
            day: _DayRecordings(files.enter_context(raw.open_partition("raw_recordings", day)), expected[day])
            for day in days
        }
        for day in days:
            if not expected[day]:
                await publish(day)
        fetched_at = datetime.now(timezone.utc)
        async with aclosing(client.get_recordings_raw(list(wanted))) as results:
            step = max(1, len(wanted) // 10)
            async for done, (recording_id, result) in aenumerate(results, start=1):
                if on_progress and (done % step == 0 or done == len(wanted)):
                    on_progress(done, len(wanted))
                day, listed = wanted[recording_id]
                if isinstance(result, NotFoundError):
                    http_status, body = 404, None
                    report.days[day].missing += 1
                elif isinstance(result, RelateError):
                    raise result
                else:
                    http_status, body = 200, result
                    report.days[day].fetched += 1
                await partitions[day].add(
                    RecordingFetch(
                        recording_id=recording_id,
                        calendar_event_id=listed.calendar_event_id,
                        listed_status=listed.listed_status,
                        event_updated_at=listed.event_updated_at,
                        fetched_at=fetched_at,
                        http_status=http_status,
                        body=body,
                    )
                )
                if not partitions[day].outstanding:
                    await publish(day)
    return report


@dataclass
class DayTables:
    """What writing one day's meeting tables produced: row counts and the measures behind the asset checks."""

    rows: dict[str, int]
    duplicates: dict[str, int]
    orphans: dict[str, int]
    not_fetched: list[str]


def write_meeting_day(raw: Lake, lake: Lake, day: str) -> DayTables:
    """Flatten one day of the raw store into every meeting table and replace their partitions.

    Recordings are flattened BATCH_RECORDINGS at a time and each batch's rows are appended to
    the tables' new files, so memory follows the batch size, not the day's size. The checks are
    computed per batch: a recording's rows all come from its own body, hence from one batch, and
    a recording id met again in a later batch is counted as duplicate rows in every table.
    """
    raw_events = raw.read_partition("raw_calendar_events", day)
    bodies = [] if raw_events is None else raw_events.column("body").to_pylist()
    event_tables = flatten_events([orjson.loads(body) for body in bodies])
    rows = {name: 0 for name in MEETING_TABLES}
    duplicates = {name: 0 for name in MEETING_TABLES}
    orphan_rows = {name: 0 for name in CHILD_TABLES}
    seen: set[str] = set()
    with ExitStack() as files:
        for name, table in event_tables.items():
            lake.write_partition(name, day, table)
            rows[name] += table.num_rows
            duplicates[name] += duplicate_keys(table, TABLES[name].key)
        outputs = {name: files.enter_context(lake.open_partition(name, day)) for name in RECORDING_TABLES}
        for batch in raw.iter_partition("raw_recordings", day, BATCH_RECORDINGS):
            tables = flatten_raw_recordings(batch)
            earlier = pa.array(sorted(seen), type=pa.string())
            for name in RECORDING_TABLES:
                table = tables[name]
                outputs[name].write(table)
                rows[name] += table.num_rows
                duplicates[name] += duplicate_keys(table, TABLES[name].key)
                if name != "missing_recordings" and len(earlier):
                    duplicates[name] += pc.sum(pc.is_in(table.column("recording_id"), value_set=earlier)).as_py() or 0
            for name in CHILD_TABLES:
                orphan_rows[name] += orphans(tables[name], tables["recordings"], "recording_id")
            seen.update(tables["recordings"].column("recording_id").to_pylist())
    not_fetched = sorted(done_recording_ids(event_tables["event_recordings"]) - seen)
    return DayTables(rows, duplicates, orphan_rows, not_fetched)


@dataclass
class RangeTables:
    """The days' ``DayTables`` added up, for the asset's metadata and checks."""

    rows: Counter = field(default_factory=lambda: Counter(dict.fromkeys(MEETING_TABLES, 0)))
    duplicates: Counter = field(default_factory=lambda: Counter(dict.fromkeys(MEETING_TABLES, 0)))
    orphans: Counter = field(default_factory=lambda: Counter(dict.fromkeys(CHILD_TABLES, 0)))
    not_fetched: list[str] = field(default_factory=list)

    def add(self, day: DayTables) -> None:
        self.rows.update(day.rows)
        self.duplicates.update(day.duplicates)
        self.orphans.update(day.orphans)
        self.not_fetched += day.not_fetched


class MeetingDayWriter:
    """Runs ``write_meeting_day`` for the days handed to it on worker threads, and adds up their results.

    Days share nothing, and most of a day's work (Arrow's JSON reader, Parquet encoding, zstd)
    runs in C++ without the GIL: days handed over during extraction are flattened while the
    fan-out keeps fetching, and ``workers`` days at once keep that many cores busy.

    Leaving the ``with`` block waits for every day handed over, also when extraction failed: a
    day is handed over only once its raw partitions are complete, so its tables should follow.
    """

    def __init__(self, raw: Lake, lake: Lake, workers: int = FLATTEN_WORKERS) -> None:
        self._raw, self._lake = raw, lake
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flatten")
        self._days: list[Future[DayTables]] = []

    def __enter__(self) -> MeetingDayWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown(wait=True)

    def submit(self, day: str) -> None:
        self._days.append(self._pool.submit(write_meeting_day, self._raw, self._lake, day))

    def result(self) -> RangeTables:
        """Every submitted day's tables, once all are written; a day's failure is raised here."""
        total = RangeTables()
        for day in self._days:
            total.add(day.result())
        return total

