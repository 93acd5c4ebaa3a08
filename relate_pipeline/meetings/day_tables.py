"""Writing meeting days: the raw store of a day flattened into every meeting table, with the measures
the asset checks report.

Reads only the raw store, never the API, so a day's tables can be rebuilt at any time. A day's
tables are replaced together, one file after another; ``tables_current`` tells whether they were
written from the raw files the day holds now, which is how an unchanged day is left alone and a
day whose flattening was interrupted is found again.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.meetings.day_metrics import AttendeeTokens, day_metric_tables
from relate_pipeline.meetings.events import flatten_events
from relate_pipeline.meetings.raw_tables import flatten_raw_recordings
from relate_pipeline.columns import build_table
from relate_pipeline.governance.policy import KEEP_EVERYTHING, DataPolicy
from relate_pipeline.lake import Lake
from relate_pipeline.quality import done_recording_ids, duplicate_keys, orphans
from relate_pipeline.meetings.raw_store import BATCH_RECORDINGS
from relate_pipeline.meetings.trackers import Trackers, tracker_matches
from relate_pipeline.tables import MEETING_TABLES, METRIC_TABLES, RAW_TABLES, RECORDING_TABLES, TABLES, TRACKER_TABLES

FLATTEN_WORKERS = 2
"""Days flattened at once; memory is a batch per worker."""

CHILD_TABLES = ("recording_topics", "recording_action_items", "transcript_utterances", "summary_fields")


def deleted_events_table(raw_deleted: pa.Table | None, policy: DataPolicy = KEEP_EVERYTHING) -> pa.Table:
    """raw_deleted_events rows as the ``deleted_events`` table: the event's last listing, decoded,
    for the events the policy admits."""
    rows = [] if raw_deleted is None else raw_deleted.to_pylist()
    decoded = [(row, orjson.loads(row["body"])) for row in rows]
    decoded = [(row, event) for row, event in decoded if policy.admits(event)]
    rows, events = [row for row, _ in decoded], [event for _, event in decoded]
    return build_table(
        "deleted_events",
        {
            "event_id": [row["event_id"] for row in rows],
            "title": [event.get("title") for event in events],
            "start_at": [event.get("start_at") for event in events],
            "recording_ids": [[r.get("id") for r in event.get("recordings") or [] if isinstance(r, dict)] for event in events],
            "detected_at": pa.array([row["detected_at"] for row in rows], type=pa.timestamp("us", tz="UTC")),
        },
    )


def finished_recordings(raw: Lake, lake: Lake, day: str) -> set[str] | None:
    """The day's recordings whose stored detail is finished, read from its current tables; None
    when the tables were not written from the day's raw files as they are now."""
    if not tables_current(raw, lake, day):
        return None
    finished: set[str] = set()
    for recordings in lake.iter_partition("recordings", day, 10_000, columns=list(_FINISHED_COLUMNS)):
        unfinished = set(_unfinished(recordings))
        finished.update(rid for rid in recordings.column("recording_id").to_pylist() if rid not in unfinished)
    return finished


def tables_current(raw: Lake, lake: Lake, day: str) -> bool:
    """Whether every meeting table of the day was written after the day's raw files last changed."""
    written = [lake.modified_ns(name, day) for name in MEETING_TABLES]
    sources = [stamp for stamp in (raw.modified_ns(name, day) for name in RAW_TABLES) if stamp is not None]
    return None not in written and (not sources or min(written) >= max(sources))


def days_missing_tables(raw: Lake, lake: Lake) -> list[str]:
    """Days flattened before some meeting table existed (by an earlier version): the lake and the
    raw store hold the day, but not every meeting table has its file. Flattening such a day again
    from the raw store gives it every table, without calling the API."""
    flattened = set(lake.partitions("calendar_events"))
    complete = flattened.intersection(*(lake.partitions(name) for name in MEETING_TABLES))
    return sorted((flattened - complete) & set(raw.partitions("raw_calendar_events")))


@dataclass
class DayTables:
    """What writing one day's meeting tables produced: row counts and the measures behind the asset checks."""

    rows: dict[str, int]
    duplicates: dict[str, int]
    orphans: dict[str, int]
    not_fetched: list[str]
    unfinished: list[str] = field(default_factory=list)


def write_meeting_day(
    raw: Lake, lake: Lake, day: str, trackers: Trackers = Trackers(), policy: DataPolicy = KEEP_EVERYTHING
) -> DayTables:
    """Flatten one day of the raw store into every meeting table and replace their partitions.

    Each batch's transcript entries are matched against ``trackers`` as they are flattened, so
    ``tracker_matches`` needs no second pass over the day. Events the policy does not admit (a
    forgotten attendee) and their recordings are left out, so a raw store that still holds them
    (a restored copy, an interrupted ``forget``) never brings them back.

    Recordings are flattened BATCH_RECORDINGS at a time and each batch's rows are appended to
    the tables' new files, so memory follows the batch size, not the day's size. The checks are
    computed per batch: a recording's rows all come from its own body, hence from one batch, and
    a recording id met again in a later batch is counted as duplicate rows in every table. The
    conversation metrics of a batch's recordings are computed with it, against the day's attendees.
    """
    raw_events = raw.read_partition("raw_calendar_events", day)
    bodies = [] if raw_events is None else raw_events.column("body").to_pylist()
    events = [orjson.loads(body) for body in bodies]
    refused = pa.array(sorted(event["id"] for event in events if not policy.admits(event)), type=pa.string())
    event_tables = flatten_events([event for event in events if policy.admits(event)])
    event_tables["deleted_events"] = deleted_events_table(raw.read_partition("raw_deleted_events", day), policy)
    rows = {name: 0 for name in MEETING_TABLES}
    duplicates = {name: 0 for name in MEETING_TABLES}
    orphan_rows = {name: 0 for name in CHILD_TABLES}
    seen: set[str] = set()
    unfinished: list[str] = []
    with ExitStack() as files:
        for name, table in event_tables.items():
            lake.write_partition(name, day, table)
            rows[name] += table.num_rows
            duplicates[name] += duplicate_keys(table, TABLES[name].key)
        attendees = AttendeeTokens(event_tables["event_attendees"])
        outputs = {name: files.enter_context(lake.open_partition(name, day)) for name in RECORDING_TABLES + METRIC_TABLES + TRACKER_TABLES}
        for batch in raw.iter_partition("raw_recordings", day, BATCH_RECORDINGS):
            if len(refused):
                batch = batch.filter(pc.invert(pc.fill_null(pc.is_in(batch.column("calendar_event_id"), value_set=refused), False)))
            tables = flatten_raw_recordings(batch)
            tables.update(day_metric_tables(tables, attendees))
            tables["tracker_matches"] = tracker_matches(tables["transcript_utterances"], tables["recordings"], trackers)
            earlier = pa.array(sorted(seen), type=pa.string())
            for name in RECORDING_TABLES + METRIC_TABLES + TRACKER_TABLES:
                table = tables[name]
                outputs[name].write(table)
                rows[name] += table.num_rows
                duplicates[name] += duplicate_keys(table, TABLES[name].key)
                if name != "missing_recordings" and len(earlier):
                    duplicates[name] += pc.sum(pc.is_in(table.column("recording_id"), value_set=earlier)).as_py() or 0
            for name in CHILD_TABLES:
                orphan_rows[name] += orphans(tables[name], tables["recordings"], "recording_id")
            seen.update(tables["recordings"].column("recording_id").to_pylist())
            unfinished += _unfinished(tables["recordings"])
    not_fetched = sorted(done_recording_ids(event_tables["event_recordings"]) - seen)
    return DayTables(rows, duplicates, orphan_rows, not_fetched, sorted(unfinished))


_FINISHED_COLUMNS = ("recording_id", "status", "has_summary", "has_transcript")
"""All that tells whether a stored detail is finished; the rest of the table is not read for it."""


def _unfinished(recordings: pa.Table) -> list[str]:
    """Recordings whose stored detail is not finished: not done, or without summary or transcript."""
    finished = pc.and_(
        pc.and_(pc.equal(recordings.column("status"), "done"), recordings.column("has_summary")),
        recordings.column("has_transcript"),
    )
    return recordings.filter(pc.invert(pc.fill_null(finished, False))).column("recording_id").to_pylist()


@dataclass
class RangeTables:
    """The days' ``DayTables`` added up, for the asset's metadata and checks."""

    rows: Counter = field(default_factory=lambda: Counter(dict.fromkeys(MEETING_TABLES, 0)))
    duplicates: Counter = field(default_factory=lambda: Counter(dict.fromkeys(MEETING_TABLES, 0)))
    orphans: Counter = field(default_factory=lambda: Counter(dict.fromkeys(CHILD_TABLES, 0)))
    not_fetched: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    days: int = 0

    def add(self, day: DayTables) -> None:
        self.days += 1
        self.unfinished += day.unfinished
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

    def __init__(
        self,
        raw: Lake,
        lake: Lake,
        workers: int = FLATTEN_WORKERS,
        trackers: Trackers = Trackers(),
        policy: DataPolicy = KEEP_EVERYTHING,
    ) -> None:
        self._raw, self._lake, self._trackers, self._policy = raw, lake, trackers, policy
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flatten")
        self._days: list[Future[DayTables]] = []
        self.submitted: set[str] = set()

    def __enter__(self) -> MeetingDayWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown(wait=True)

    def submit(self, day: str) -> None:
        self.submitted.add(day)
        self._days.append(self._pool.submit(write_meeting_day, self._raw, self._lake, day, self._trackers, self._policy))

    def result(self) -> RangeTables:
        """Every submitted day's tables, once all are written; a day's failure is raised here."""
        total = RangeTables()
        for day in self._days:
            total.add(day.result())
        return total

