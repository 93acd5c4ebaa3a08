"""Dagster's SQLite event log, keeping a connection to each recent database open between events.

Dagster's own ``SqliteEventLogStorage`` opens and closes a connection for every event it stores,
twice for an asset event (the run's database and the index). Closing the last connection to a
SQLite database in WAL mode checkpoints the log into the database file and deletes it, so every
stored event paid a checkpoint on top of its commit. This storage keeps one pooled engine per
database (the index and the most recent runs'), so a commit is the only cost; SQLite checkpoints
on its own schedule, and a process that ends without closing them leaves a WAL that the next
reader applies. Commits stay synchronous, and every other behaviour is Dagster's.

A new run's database is a copy of an empty one Dagster initialised once (its tables created and
its schema revision stamped, ``run-template-<dagster version>.sqlite`` beside the runs' files),
instead of being initialised again for every run. A batch of events (a ranged run's planned
events, its per-partition materializations) is stored in one transaction per database rather
than one per event. docs/benchmarks.md (section 11) has what each saves.

Used by the ``dagster.yaml`` that ``relate-pipeline`` writes for a new Dagster home; any process
that loads that instance (the webserver, the daemon, a run worker) imports this module.
"""

from __future__ import annotations

import os
import shutil
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from dagster._serdes import ConfigurableClassData
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sqlite_storage import SqliteStorageConfig
from dagster._core.event_api import EventHandlerFn
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS, EVENT_TYPE_TO_PIPELINE_RUN_STATUS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.sqlalchemy_compat import db_result
from dagster.version import __version__ as DAGSTER_VERSION
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool
from watchdog.events import FileSystemEvent
from watchdog.observers import Observer

OPEN_RUN_DATABASES = 4
"""Run databases kept open besides the index: a process writes one run at a time, readers a few."""

EVENT_BATCH_SIZE_VARIABLE = "DAGSTER_EVENT_BATCH_SIZE"
EVENT_BATCH_SIZE = 1000
"""Events Dagster may hand over at once: a year's range of two assets plans 730 partitions in one batch."""

INSTANCE_YAML = """telemetry:
  enabled: false
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: {base}/history
event_log_storage:
  module: assets.event_log
  class: KeptOpenSqliteEventLogStorage
  config:
    base_dir: {base}/history/runs
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: {base}/schedules
"""


def instance_yaml(home: Path) -> str:
    """Dagster's default SQLite layout in ``home``, with this event log storage."""
    return INSTANCE_YAML.format(base=home.resolve())


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        os.environ.setdefault(EVENT_BATCH_SIZE_VARIABLE, str(EVENT_BATCH_SIZE))
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: SqliteStorageConfig
    ) -> KeptOpenSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=4,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        if shard not in self._initialized_dbs:
            if shard == INDEX_SHARD_NAME or not self._copy_empty_run_database(shard):
                self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        run_shards = [name for name in self._engines if name != "index"]
        for stale in run_shards[: max(0, len(run_shards) - OPEN_RUN_DATABASES)]:
            self._engines.pop(stale).dispose()
        return engine

    def _copy_empty_run_database(self, shard: str) -> bool:
        """Create a run's database as a copy of the empty template; False if it already exists or cannot be linked.

        The copy appears under its name in one step (a hard link), so a reader never sees half a
        database, and a database another process created first is never replaced.
        """
        target = self.path_for_shard(shard)
        if os.path.exists(target):
            return False
        partial = f"{target}.{os.getpid()}.partial"
        shutil.copyfile(self._empty_run_database(), partial)
        try:
            os.link(partial, target)
        except OSError:
            return False
        finally:
            os.unlink(partial)
        return True

    def _empty_run_database(self) -> str:
        """The template, initialised by Dagster itself on first use; one per Dagster version (its schema)."""
        template = os.path.join(self._base_dir, f"run-template-{DAGSTER_VERSION}.sqlite")
        if not os.path.exists(template):
            partial = f"{template}.{os.getpid()}.partial"
            engine = create_engine(f"sqlite:///{partial}", poolclass=NullPool)
            self._initdb(engine)
            engine.dispose()
            os.replace(partial, template)
            for stale in Path(self._base_dir).glob("run-template-*.sqlite"):
                if stale.name != os.path.basename(template):
                    with suppress(OSError):
                        stale.unlink()
        return template

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """A batch (a ranged run's planned events or per-partition materializations) in one transaction per database.

        Dagster hands a batch to the storage only when ``DAGSTER_EVENT_BATCH_SIZE`` is set, which
        creating this storage does unless the environment already sets it; Dagster's own SQLite
        storage would then store the batch event by event, one commit per event and database.
        The rows written are the ones ``store_event`` writes, in the same order, except that an
        asset's own row is updated once per kind of event rather than once per event.
        """
        statements = [self.prepare_insert_event(event) for event in events]
        for run_id in dict.fromkeys(event.run_id for event in events):
            with self.run_connection(run_id) as conn:
                for event, statement in zip(events, statements):
                    if event.run_id == run_id:
                        conn.execute(statement)
        mirrored = [(event, statement) for event, statement in zip(events, statements) if _mirrored_in_index(event)]
        if not mirrored:
            return
        with self.index_transaction() as conn:
            asset_events, asset_event_ids, check_events = [], [], []
            for event, statement in mirrored:
                with db_result(conn, statement) as result:
                    event_id = result.inserted_primary_key[0]
                if event.dagster_event_type in ASSET_EVENTS:
                    asset_events.append(event)
                    asset_event_ids.append(event_id)
                elif event.dagster_event_type in ASSET_CHECK_EVENTS:
                    check_events.append((event, event_id))
            self._store_asset_event_tags(conn, asset_events, asset_event_ids)
            for event, event_id in _last_of_each_kind_per_asset(asset_events, asset_event_ids):
                self._store_asset_event(conn, event, event_id)
        for event, event_id in check_events:
            self.store_asset_check_event(event, event_id)

    def watch(self, run_id: str, cursor: str | None, callback: EventHandlerFn) -> None:
        """Dagster's file watch, also on the run's WAL: with the writer's connection open, events land there."""
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        watchdog = RunLogWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (watchdog, self._obs.schedule(watchdog, self._base_dir, recursive=True))

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_all()
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


def _last_of_each_kind_per_asset(events: Sequence[EventLogEntry], event_ids: Sequence[int]) -> list[tuple[EventLogEntry, int]]:
    """The events whose updates of an asset's row (its last run, materialization, timestamp) last.

    Each event overwrites the columns that every event of its kind sets, so storing only each
    kind's last event per asset, in the batch's order, leaves the row as storing every event does.
    """
    last: dict[tuple[str, str], int] = {}
    for position, event in enumerate(events):
        if event.dagster_event.asset_key is not None:
            last[(event.dagster_event.asset_key.to_string(), event.dagster_event_type)] = position
    return [(events[position], event_ids[position]) for position in sorted(last.values())]


def _mirrored_in_index(event: EventLogEntry) -> bool:
    """Whether ``store_event`` also writes ``event`` to the index database (what cross-run queries read)."""
    return event.is_dagster_event and (
        event.dagster_event_type in ASSET_EVENTS
        or event.dagster_event_type in ASSET_CHECK_EVENTS
        or event.dagster_event_type in EVENT_TYPE_TO_PIPELINE_RUN_STATUS
    )


class RunLogWatchdog(SqliteEventLogStorageWatchdog):
    """Reads a run's new events when its database or its write-ahead log changes."""

    def __init__(self, event_log_storage: SqliteEventLogStorage, run_id: str, callback: EventHandlerFn, cursor: str | None) -> None:
        super().__init__(event_log_storage, run_id, callback, cursor)
        self._patterns = [self._log_path, f"{self._log_path}-wal"]

    def on_modified(self, event: FileSystemEvent) -> None:
        self._process_log()
