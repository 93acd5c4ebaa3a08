"""Incremental extraction of meeting days: list events, follow the ones that moved or vanished,
fetch only the details that may have changed, and rewrite only the days that did.

The days of a range are listed concurrently. An event listed on a day while the raw store holds
it on another, or held on a listed day and now missing from every listing, is looked up
(``GET /calendar_events/:id``): its new day is listed and corrected in the same run, even outside
the range, and a 404 records it as deleted. Every lookup happens before any file is written, so
a lookup that fails fails the run with nothing changed.

The done recordings are then fanned out concurrently (see ``RefetchPolicy`` for which ones) and
each day's raw responses are written as one partition of the raw store, file by file with the
listing last. A day whose listing, details and deletions equal what the store holds is not
written at all: its files keep their bytes and modification times. Flattening reads only the
raw store, so it can be re-run without touching the API.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import ExitStack, aclosing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from relate_pipeline.client import AsyncRelateClient, NotFoundError, RelateError, day_window
from relate_pipeline.governance.policy import KEEP_EVERYTHING, DataPolicy
from relate_pipeline.meetings.days import days_between, instant, local_day
from relate_pipeline.meetings.raw_tables import ListedRecording, RecordingFetch, listed_done_recordings, raw_events_table, raw_recordings_table
from relate_pipeline.lake import Lake, PartitionFile
from relate_pipeline.meetings.day_tables import finished_recordings
from relate_pipeline.meetings.raw_store import (
    BATCH_RECORDINGS,
    StoredDay,
    body_digest,
    brief,
    held_event_days,
    read_bodies,
    stored_day,
)
from relate_pipeline.tables import TIMESTAMP, conform

DEFAULT_REFRESH_DAYS = 3


@dataclass(frozen=True)
class RefetchPolicy:
    """When a listed done recording's detail is downloaded again instead of carried over.

    Always when the stored fetch failed or is missing, the listing shows another status, times or
    duration for it, its event's ``updated_at`` moved, or the stored detail is unfinished (not
    done, or without summary or transcript). Also when it ended less than ``refresh_days`` ago
    (summaries regenerated soon after a meeting move only the recording's ``updated_at``, which no
    listing shows), and for every recording when ``refresh`` is set.
    """

    refresh: bool = False
    refresh_days: int = DEFAULT_REFRESH_DAYS
    now: datetime | None = None

    def wants(self, listed: ListedRecording, listed_brief: dict, stored: StoredDay, now: datetime) -> bool:
        """Whether the detail is fetched again on the listing's evidence alone; an unfinished stored
        detail is found separately (``_unfinished``), since that needs the stored bodies or tables."""
        previous = stored.details.get(listed.recording_id)
        if self.refresh or previous is None or previous.fetch.http_status != 200:
            return True
        if previous.fetch.event_updated_at != listed.event_updated_at:
            return True
        if stored.briefs.get(listed.recording_id) != listed_brief:
            return True
        ended = listed_brief.get("ended_at")
        try:
            return ended is not None and now - instant(ended) < timedelta(days=self.refresh_days)
        except (TypeError, ValueError):
            return True


@dataclass
class DayExtract:
    """What one day's extraction found and did; reported as Dagster metadata."""

    in_range: bool = True
    events: int = 0
    done_listed: int = 0
    fetched: int = 0
    reused: int = 0
    missing: int = 0
    moved_in: int = 0
    moved_out: int = 0
    deleted: int = 0
    rewritten: bool = False


@dataclass
class RangeExtract:
    days: dict[str, DayExtract] = field(default_factory=dict)
    api_stats: dict = field(default_factory=dict)
    suppressed_events: int = 0
    """Listed events left out because an attendee was forgotten."""

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days.values())

    @property
    def rewritten(self) -> list[str]:
        """Days of the range whose raw files were replaced."""
        return sorted(day for day, found in self.days.items() if found.in_range and found.rewritten)

    @property
    def unchanged(self) -> list[str]:
        return sorted(day for day, found in self.days.items() if found.in_range and not found.rewritten)

    @property
    def corrected_elsewhere(self) -> list[str]:
        """Days outside the range rewritten because an event moved to or from them."""
        return sorted(day for day, found in self.days.items() if not found.in_range and found.rewritten)


@dataclass
class Located:
    """Where the listed events are now: each day's listing, and what left which day."""

    listings: dict[str, list[dict]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    moves: set[tuple[str, str, str]] = field(default_factory=set)
    """(event_id, from_day, to_day): the day gaining an event is written before the day losing it, so a
    run dying in between leaves the event on both days (found and finished next run), never on none."""
    suppressed: set[str] = field(default_factory=set)
    """Events left out because the policy does not admit them (an attendee was forgotten)."""


def _admitted(events: list[dict], policy: DataPolicy, suppressed: set[str]) -> list[dict]:
    kept = [event for event in events if policy.admits(event)]
    if len(kept) < len(events):
        suppressed.update(event["id"] for event in events if not policy.admits(event))
    return kept


async def _list_day(client: AsyncRelateClient, day: str, tz: ZoneInfo) -> list[dict]:
    """One day's events. Days are listed concurrently: a range costs the round trips of its
    longest day instead of one after another for every page of the whole range."""
    starts_after, starts_before = day_window(date.fromisoformat(day), date.fromisoformat(day), tz)
    return [event async for event in client.list_calendar_events(starts_after=starts_after, starts_before=starts_before)]


async def _look_up(client: AsyncRelateClient, event_ids: list[str]) -> dict[str, dict | None]:
    """Each event as the API serves it now, None for a 404; any other failure fails the run."""
    found: dict[str, dict | None] = {}
    async with aclosing(client.fetch_many(event_ids, client.get_calendar_event)) as results:
        async for event_id, result in results:
            if isinstance(result, NotFoundError):
                found[event_id] = None
            elif isinstance(result, RelateError):
                raise RelateError(f"could not tell whether calendar event {event_id!r} moved or was deleted: {result}")
            else:
                found[event_id] = result
    return found


def _updated(event: dict) -> datetime:
    try:
        return instant(event["updated_at"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return datetime.min.replace(tzinfo=timezone.utc)


def _keep_latest_listing(listings: dict[str, list[dict]]) -> None:
    """An event met on two days' listings (it moved while they were read) stays on the newer one."""
    newest: dict[str, tuple[datetime, str]] = {}
    for day, events in listings.items():
        for event in events:
            stamp = _updated(event)
            if event["id"] not in newest or (stamp, day) > newest[event["id"]]:
                newest[event["id"]] = (stamp, day)
    for day, events in listings.items():
        listings[day] = [event for event in events if newest[event["id"]][1] == day]


async def locate_events(
    client: AsyncRelateClient,
    days: list[str],
    tz: ZoneInfo,
    held_days: Awaitable[dict[str, set[str]]],
    policy: DataPolicy = KEEP_EVERYTHING,
) -> Located:
    """List ``days``, then every other day an event moved to or from, until no listing points further.

    An event that moved to a day before ``policy.first_kept`` (the retention's oldest day) leaves
    the day it was on and is followed no further: that day is not kept, so it is never listed
    again. An event the policy does not admit (a forgotten attendee) is left out of every listing
    and lookup, so the day holding it loses it, and counted in ``suppressed``.

    ``held_days`` (where the raw store holds each event, see ``held_event_days``) is awaited once
    the first listings are in, so the store can be read while they are on the network.
    """
    located = Located()
    held: dict[str, set[str]] | None = None
    held_on: dict[str, set[str]] = defaultdict(set)
    pending = sorted(set(days))
    while pending:
        listed = [
            _admitted(events, policy, located.suppressed)
            for events in await asyncio.gather(*(_list_day(client, day, tz) for day in pending))
        ]
        if held is None:
            held = await held_days
            for event_id, holding in held.items():
                for day in holding:
                    held_on[day].add(event_id)
        located.listings.update(zip(pending, listed))
        _keep_latest_listing(located.listings)
        listed_on = {event["id"]: day for day, events in located.listings.items() for event in events}
        wanted: set[str] = set()
        for event_id, day in listed_on.items():
            for other in held.get(event_id, ()):
                if other != day:
                    located.moves.add((event_id, other, day))
                    wanted.add(other)
        gone = sorted(
            (event_id, day)
            for day in pending
            for event_id in held_on[day]
            if event_id not in listed_on
        )
        now_at = await _look_up(client, sorted({event_id for event_id, _ in gone}))
        for event_id, day in gone:
            event = now_at[event_id]
            if event is None:
                located.deleted[day].append(event_id)
                continue
            if not policy.admits(event):
                located.suppressed.add(event_id)
                continue
            new_day = local_day(event["start_at"], tz)
            if policy.first_kept is not None and new_day < policy.first_kept:
                continue
            if new_day != day:
                located.moves.add((event_id, day, new_day))
            if new_day in located.listings:
                located.listings[new_day].append(event)
            else:
                wanted.add(new_day)
        pending = sorted(wanted - set(located.listings))
    return located


class _DayRecordings:
    """One day's new raw_recordings partition, filled a batch at a time as its fetches complete.

    A batch is written once it is full or the day has no fetch left outstanding, on a worker
    thread (Parquet encoding and zstd release the GIL), so the fan-out keeps running meanwhile
    and at most a batch per day is ever held in memory. ``changed`` turns true as soon as one
    fetch differs from what the store held.
    """

    def __init__(self, file: PartitionFile, expected: int) -> None:
        self.file = file
        self.outstanding = expected
        self.changed = False
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


class _Publisher:
    """Publishes each day once its fetches are in, a day losing an event only after the day gaining it."""

    def __init__(self, waits_for: dict[str, set[str]], publish: Callable[[str], Awaitable[None]]) -> None:
        self._waits_for = waits_for
        self._publish = publish
        self._ready: set[str] = set()
        self.done: set[str] = set()

    async def ready(self, day: str) -> None:
        self._ready.add(day)
        progressed = True
        while progressed:
            progressed = False
            for candidate in sorted(self._ready):
                if self._waits_for.get(candidate, set()) <= self.done:
                    await self._release(candidate)
                    progressed = True

    async def finish(self) -> None:
        """Whatever still waits (moves in a cycle between two days) is published in day order."""
        for day in sorted(self._ready):
            await self._release(day)

    async def _release(self, day: str) -> None:
        self._ready.discard(day)
        await self._publish(day)
        self.done.add(day)


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


def deleted_events_rows(
    stored: StoredDay,
    deleted: Iterable[str],
    listed_ids: set[str],
    detected_at: datetime,
    policy: DataPolicy = KEEP_EVERYTHING,
) -> pa.Table:
    """The day's raw_deleted_events: what was recorded before (unless listed again) plus the events found gone now,
    except those whose last listing the policy does not admit."""
    rows = [row for row in stored.deleted if row["event_id"] not in listed_ids]
    known = {row["event_id"] for row in rows}
    rows += [
        {"event_id": event_id, "detected_at": detected_at, "body": stored.events[event_id]}
        for event_id in deleted
        if event_id not in known
    ]
    rows = [row for row in rows if policy.admits(orjson.loads(row["body"]))]
    return conform(
        "raw_deleted_events",
        pa.table(
            {
                "event_id": pa.array([r["event_id"] for r in rows], pa.string()),
                "detected_at": pa.array([r["detected_at"] for r in rows], TIMESTAMP),
                "body": pa.array([r["body"] for r in rows], pa.large_binary()),
            }
        ),
    )


@dataclass
class _DayPlan:
    """One day's decisions before any fetch: what the listing says and what is carried over."""

    stored: StoredDay
    events: list[dict]
    event_bodies: dict[str, bytes]
    deleted: list[str]
    reused: set[str] = field(default_factory=set)
    fetch: list[ListedRecording] = field(default_factory=list)

    @property
    def listing_changed(self) -> bool:
        return not self.stored.written or not self.stored.complete_files or self.event_bodies != self.stored.events


@dataclass
class _StoredState:
    """What the stores hold for a day before the run: its raw partitions, and which of its stored
    details are finished according to its current tables (None when they are not current)."""

    stored: StoredDay
    finished: set[str] | None


def _read_stored(raw: Lake, lake: Lake | None, day: str) -> _StoredState:
    return _StoredState(stored_day(raw, day), finished_recordings(raw, lake, day) if lake is not None else None)


async def _locate_while_reading(
    client: AsyncRelateClient, tz: ZoneInfo, raw: Lake, lake: Lake | None, days: list[str], policy: DataPolicy
) -> tuple[Located, dict[str, _StoredState]]:
    """The listings, and what the stores hold for ``days``, read meanwhile on threads.

    Reading the stores does not depend on the listings, and the listings spend most of their time
    waiting on the network, so the store is read during that wait instead of before and after it:
    where every event is held (needed once the first listings are in), and each day's stored
    state (needed once every listing is). Nothing is written before all of it is done.
    """
    held = asyncio.ensure_future(asyncio.to_thread(held_event_days, raw))
    reading = asyncio.ensure_future(asyncio.to_thread(lambda: {day: _read_stored(raw, lake, day) for day in days}))
    try:
        located = await locate_events(client, days, tz, held, policy)
    except BaseException:
        await asyncio.wait([held, reading])
        raise
    return located, await reading


def _plan_day(
    raw: Lake, state: _StoredState, day: str, located: Located, policy: RefetchPolicy, now: datetime, found: DayExtract
) -> _DayPlan:
    """Compare the day's listing with the store: which details to fetch again and which to carry over."""
    events = located.listings[day]
    plan = _DayPlan(state.stored, events, {e["id"]: orjson.dumps(e) for e in events}, located.deleted.get(day, []))
    found.events, found.deleted = len(plan.event_bodies), len(plan.deleted)
    briefs = {r["id"]: brief(r) for e in events for r in e.get("recordings") or [] if isinstance(r, dict) and "id" in r}
    carried = []
    for listed in listed_done_recordings(events):
        found.done_listed += 1
        if policy.wants(listed, briefs.get(listed.recording_id, {}), plan.stored, now):
            plan.fetch.append(listed)
        else:
            carried.append(listed)
    unfinished = _unfinished(raw, state.finished, day, plan.stored, {listed.recording_id for listed in carried})
    for listed in carried:
        if listed.recording_id in unfinished:
            plan.fetch.append(listed)
        else:
            plan.reused.add(listed.recording_id)
    found.reused = len(plan.reused)
    read_bodies(raw, day, plan.stored, {listed.recording_id for listed in plan.fetch})
    return plan


async def extract_meeting_days(
    client: AsyncRelateClient,
    first_day: date,
    last_day: date,
    tz: ZoneInfo,
    raw: Lake,
    policy: RefetchPolicy = RefetchPolicy(),
    lake: Lake | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_day_extracted: Callable[[str], None] | None = None,
    data_policy: DataPolicy = KEEP_EVERYTHING,
) -> RangeExtract:
    """Bring the range (and any day an event moved to or from) in line with the API.

    ``on_progress(done, total)`` is called about every tenth of the detail fetches, so a long
    backfill shows it is moving. ``lake``, when given, tells which stored details are finished
    from its ``recordings`` table where that is current, instead of decoding the stored bodies.

    Bodies stream into the new partitions as they arrive. A day is published as soon as its last
    fetch lands (recordings first, then deletions, then the listed events), so a failed run
    leaves each day wholly new or wholly as it was, and keeps the days it finished. Recordings are
    fetched in day order, so days finish one after another; ``on_day_extracted(day)`` is called
    for each day rewritten, letting it be flattened while later days are still being fetched.
    ``data_policy`` says which days and what of them may be kept (relate_pipeline/governance).
    """
    in_range = days_between(first_day, last_day)
    located, stored = await _locate_while_reading(client, tz, raw, lake, in_range, data_policy)
    days = sorted(located.listings)
    now = policy.now or datetime.now(timezone.utc)
    report = RangeExtract({day: DayExtract(in_range=day in in_range) for day in days}, suppressed_events=len(located.suppressed))
    for _, old_day, new_day in located.moves:
        report.days.setdefault(old_day, DayExtract(in_range=False)).moved_out += 1
        report.days.setdefault(new_day, DayExtract(in_range=False)).moved_in += 1
    plans: dict[str, _DayPlan] = {}
    wanted: dict[str, tuple[str, ListedRecording]] = {}
    for day in days:
        state = stored[day] if day in stored else _read_stored(raw, lake, day)
        plans[day] = _plan_day(raw, state, day, located, policy, now, report.days[day])
        wanted.update((listed.recording_id, (day, listed)) for listed in plans[day].fetch)

    async def publish(day: str) -> None:
        plan, recordings = plans[day], partitions[day]
        await recordings.flush()
        listed_ids = set(plan.event_bodies)
        carried = set(plan.stored.details)
        dropped = carried - plan.reused - {listed.recording_id for listed in plan.fetch}
        if not (plan.listing_changed or plan.deleted or recordings.changed or dropped):
            recordings.file.discard()
            return
        report.days[day].rewritten = True
        deleted = deleted_events_rows(plan.stored, plan.deleted, listed_ids, now, data_policy)
        await asyncio.to_thread(_publish_day, raw, day, plan, recordings.file, deleted)
        if on_day_extracted:
            on_day_extracted(day)

    waits_for: dict[str, set[str]] = defaultdict(set)
    for _, old_day, new_day in located.moves:
        if old_day in plans and new_day in plans:
            waits_for[old_day].add(new_day)
    publisher = _Publisher(waits_for, publish)
    with ExitStack() as files:
        expected = Counter(day for day, _ in wanted.values())
        partitions: dict[str, _DayRecordings] = {}
        for day in days:
            file = raw.open_partition("raw_recordings", day)
            files.callback(file.discard)
            partitions[day] = _DayRecordings(file, expected[day])
        for day in days:
            if not expected[day]:
                await publisher.ready(day)
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
                    http_status, body = 200, data_policy.stored_body(result)
                    report.days[day].fetched += 1
                fetch = RecordingFetch(
                    recording_id=recording_id,
                    calendar_event_id=listed.calendar_event_id,
                    listed_status=listed.listed_status,
                    event_updated_at=listed.event_updated_at,
                    fetched_at=fetched_at,
                    http_status=http_status,
                    body=body,
                )
                recordings = partitions[day]
                recordings.changed = recordings.changed or _differs(plans[day].stored, fetch)
                await recordings.add(fetch)
                if not recordings.outstanding:
                    await publisher.ready(day)
        await publisher.finish()
    return report


def _unfinished(raw: Lake, finished: set[str] | None, day: str, stored: StoredDay, recording_ids: set[str]) -> set[str]:
    """Which of the stored details are not finished (not done, or without summary or transcript):
    from the day's current tables when known (``finished``), else from the stored bodies."""
    if finished is None:
        read_bodies(raw, day, stored, recording_ids)
        finished = {rid for rid in recording_ids if stored.details[rid].complete}
    return recording_ids - finished


def _differs(stored: StoredDay, fetch: RecordingFetch) -> bool:
    """Whether a fresh fetch says something the stored one did not (its fetch time aside)."""
    previous = stored.details.get(fetch.recording_id)
    return previous is None or (
        previous.fetch.http_status,
        previous.fetch.calendar_event_id,
        previous.fetch.listed_status,
        previous.fetch.event_updated_at,
        previous.digest,
    ) != (fetch.http_status, fetch.calendar_event_id, fetch.listed_status, fetch.event_updated_at, body_digest(fetch.body))


def _publish_day(raw: Lake, day: str, plan: _DayPlan, recordings: PartitionFile, deleted: pa.Table) -> None:
    _copy_reused(raw, day, plan.reused, recordings)
    recordings.publish()
    raw.write_partition("raw_deleted_events", day, deleted)
    raw.write_partition("raw_calendar_events", day, raw_events_table(plan.events))
