"""The DuckDB warehouse: views over the lake plus the joined views analysts query.

The database holds no copies of the data, only view definitions over the lake's Parquet
files (by absolute path or URL), the ``name_key`` and ``case_fold`` macros the conversation views
share, and the small ``internal_domains`` table, so rebuilding is cheap. A view reads the files
matching its table's pattern when queried, so days rewritten later show up without a rebuild; a
table that had no file at all when the warehouse was built stays a typed empty view until the
next build.  It is built into a temporary file and renamed into place: an analyst holding the
old file open (even read-only, which takes a lock) never blocks a rebuild, and keeps querying
the old file until reconnecting.

Each build stores a fingerprint of its inputs in the file (``build_info.build``): every lake
file's identity (path, inode, size, modification time; on an object store its ETag and time),
the view and table definitions, the internal domains and the DuckDB version, plus whatever the
caller measured on the new file (the asset checks' figures). :func:`refresh_warehouse` rebuilds
only when the inputs' fingerprint differs from the stored one, so a run that rewrote no lake file
leaves the warehouse alone and reuses what was measured on exactly these inputs.

A lake on an object store is read through its fsspec filesystem, registered with each DuckDB
connection (a registration lasts one connection, and needs no DuckDB extension download):
open the warehouse with :func:`connect` or :func:`open_warehouse`, which do that.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from relate_pipeline import tables
from relate_pipeline.warehouse import conversation
from relate_pipeline.warehouse.conversation import ACTION_ITEMS_SQL, CONVERSATION_SQL, CONVERSATION_VIEWS, NAME_KEY_MACRO
from relate_pipeline.day_index import DayIndex
from relate_pipeline.warehouse.trackers import TRACKER_SQL, TRACKER_VIEWS
from relate_pipeline.warehouse.deals import DEAL_SQL, DEAL_VIEWS
from relate_pipeline.warehouse.history import HISTORY_SQL, HISTORY_VIEWS
from relate_pipeline.lake import Lake
from relate_pipeline.settings import PipelineSettings
from relate_pipeline.tables import MEETING_TABLES, TIMESTAMP, WAREHOUSE_TABLES, TableSpec, spec

ANALYST_VIEWS: tuple[str, ...] = ("meeting_participants", "meetings", "action_items", "transcripts", *CONVERSATION_VIEWS, *TRACKER_VIEWS, *DEAL_VIEWS, *HISTORY_VIEWS)

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    TIMESTAMP: "TIMESTAMPTZ",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.list_(pa.string()): "VARCHAR[]",
    pa.large_binary(): "BLOB",
}


def duckdb_type(type_: pa.DataType) -> str:
    try:
        return _DUCKDB_TYPES[type_]
    except KeyError:
        raise ValueError(f"no DuckDB type mapped for Arrow type {type_}") from None


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def normalise_domains(domains: Sequence[str]) -> list[str]:
    """Lower-cased, de-duplicated domains; a bad entry is an error, since it would silently misclassify attendees."""
    if isinstance(domains, str):
        raise ValueError(f"internal_domains must be a sequence of domains, not the string {domains!r}")
    cleaned: list[str] = []
    for position, domain in enumerate(domains):
        if not isinstance(domain, str):
            raise ValueError(f"internal domain at position {position} is a {type(domain).__name__}, expected a string")
        value = domain.strip().lower().lstrip("@")
        if not value or "@" in value or " " in value:
            raise ValueError(f"internal domain at position {position} is not a domain: {domain!r}")
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def _lake_view_sql(
    connection: duckdb.DuckDBPyConnection, table_spec: TableSpec, lake: Lake, day_index: DayIndex | None = None
) -> str:
    """A typed view over the table's files, or a typed empty view when it has none yet.

    Columns are listed from the spec (not ``*``) so every view has the spec's order and
    types, and a column absent from all files (written before it was added) reads as null.
    Telling which columns the files have means opening every file, which a query over the view
    then does again each time it is bound; a meeting table whose files the day index knows all
    have every column skips both, so binding the view, and a query of one day, opens no file of
    the other days.
    """
    pattern = lake.parquet_glob(table_spec.name)
    indexed = day_index is not None and table_spec.name in MEETING_TABLES
    if indexed:
        file_count = len(day_index.table_days(table_spec.name))
    else:
        (file_count,) = connection.execute("SELECT count(*) FROM glob(?)", [pattern]).fetchone()
    columns = [(field.name, duckdb_type(field.type)) for field in table_spec.schema]
    if table_spec.partitioned:
        columns.append(("date", "DATE"))
    if file_count == 0:
        select = ", ".join(f"CAST(NULL AS {t}) AS {_quote_identifier(n)}" for n, t in columns)
        return f"SELECT {select} WHERE false"
    hive = ", hive_partitioning = true, hive_types = {'date': DATE}" if table_spec.partitioned else ""
    if indexed and day_index.has_every_column(table_spec.name):
        source = f"read_parquet({_quote_literal(pattern)}{hive})"
        present = {name for name, _ in columns}
    else:
        source = f"read_parquet({_quote_literal(pattern)}, union_by_name = true{hive})"
        present = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    select = ", ".join(
        f"CAST({_quote_identifier(n) if n in present else 'NULL'} AS {t}) AS {_quote_identifier(n)}" for n, t in columns
    )
    return f"SELECT {select} FROM {source}"


MEETING_PARTICIPANTS_SQL = """
CREATE VIEW meeting_participants AS
WITH contact_by_email AS (
    SELECT lower(email) AS email, min(contact_id) AS contact_id
    FROM contact_emails
    GROUP BY lower(email)
),
organization_by_domain AS (
    SELECT lower(domain) AS domain, min(organization_id) AS organization_id
    FROM organization_domains
    GROUP BY lower(domain)
),
matched AS (
    SELECT
        a.event_id,
        a.attendee_index,
        a.date,
        a.email,
        lower(a.email_domain) AS email_domain,
        c.contact_id,
        c.full_name AS contact_name,
        CASE WHEN c.contact_id IS NOT NULL THEN c.organization_id ELSE d.organization_id END AS organization_id,
        CASE
            WHEN c.contact_id IS NOT NULL THEN 'contact_email'
            WHEN d.organization_id IS NOT NULL THEN 'organization_domain'
            ELSE 'none'
        END AS match_type
    FROM event_attendees a
    LEFT JOIN contact_by_email e ON e.email = lower(a.email)
    LEFT JOIN contacts c ON c.contact_id = e.contact_id
    LEFT JOIN organization_by_domain d ON d.domain = lower(a.email_domain)
)
SELECT
    m.event_id,
    m.attendee_index,
    m.date,
    ev.start_at,
    m.email,
    m.email_domain,
    coalesce(m.email_domain IN (SELECT domain FROM internal_domains), false) AS is_internal,
    m.contact_id,
    m.contact_name,
    m.organization_id,
    o.name AS organization_name,
    m.match_type
FROM matched m
LEFT JOIN calendar_events ev ON ev.event_id = m.event_id AND ev.date = m.date
LEFT JOIN organizations o ON o.organization_id = m.organization_id
"""

MEETINGS_SQL = """
CREATE VIEW meetings AS
WITH fetched AS (
    SELECT er.event_id, r.*
    FROM event_recordings er
    JOIN recordings r ON r.recording_id = er.recording_id AND r.date = er.date
    WHERE er.status = 'done'
),
attending AS MATERIALIZED (
    SELECT event_id, date, is_internal, organization_id, organization_name FROM meeting_participants
),
participants AS (
    SELECT
        event_id,
        date,
        count(*) FILTER (WHERE is_internal) AS internal_participant_count,
        count(*) FILTER (WHERE NOT is_internal) AS external_participant_count
    FROM attending
    GROUP BY event_id, date
),
external_organizations AS (
    SELECT DISTINCT event_id, date, organization_id, organization_name
    FROM attending
    WHERE NOT is_internal AND organization_id IS NOT NULL
),
organization_lists AS (
    SELECT
        event_id,
        date,
        list(organization_id ORDER BY organization_id) AS organization_ids,
        list(organization_name ORDER BY organization_name) FILTER (WHERE organization_name IS NOT NULL)
            AS organization_names
    FROM external_organizations
    GROUP BY event_id, date
)
SELECT
    e.event_id,
    f.recording_id,
    e.date,
    e.title,
    e.start_at,
    e.end_at,
    e.end_at - e.start_at AS duration,
    epoch(e.end_at - e.start_at) / 60.0 AS duration_minutes,
    e.conference_type,
    f.status AS recording_status,
    f.started_at AS recording_started_at,
    f.audio_duration_s,
    f.summary_text,
    f.detected_language,
    f.topic_count,
    f.action_item_count,
    e.attendee_count,
    coalesce(p.internal_participant_count, 0) AS internal_participant_count,
    coalesce(p.external_participant_count, 0) AS external_participant_count,
    coalesce(ol.organization_ids, CAST([] AS VARCHAR[])) AS organization_ids,
    coalesce(ol.organization_names, CAST([] AS VARCHAR[])) AS organization_names
FROM calendar_events e
LEFT JOIN fetched f ON f.event_id = e.event_id AND f.date = e.date
LEFT JOIN participants p ON p.event_id = e.event_id AND p.date = e.date
LEFT JOIN organization_lists ol ON ol.event_id = e.event_id AND ol.date = e.date
"""

TRANSCRIPTS_SQL = """
CREATE VIEW transcripts AS
SELECT
    u.recording_id,
    u.segment_index,
    u.word_index,
    u.participant_name,
    u.language_code,
    u.text,
    u.start_relative_s,
    u.end_relative_s,
    u.start_at,
    u.end_at,
    m.event_id,
    m.title,
    u.date,
    coalesce(m.organization_names, CAST([] AS VARCHAR[])) AS organization_names
FROM transcript_utterances u
LEFT JOIN meetings m ON m.recording_id = u.recording_id AND m.date = u.date
"""

_ANALYST_SQL = (NAME_KEY_MACRO, MEETING_PARTICIPANTS_SQL, MEETINGS_SQL, ACTION_ITEMS_SQL, TRANSCRIPTS_SQL, *CONVERSATION_SQL, *TRACKER_SQL, *DEAL_SQL, *HISTORY_SQL)


def _build(
    connection: duckdb.DuckDBPyConnection, lake: Lake, internal_domains: list[str], day_index: DayIndex | None = None
) -> None:
    for name in WAREHOUSE_TABLES:
        view = _lake_view_sql(connection, spec(name), lake, day_index)
        connection.execute(f"CREATE VIEW {_quote_identifier(name)} AS {view}")
    connection.execute("CREATE TABLE internal_domains (domain VARCHAR PRIMARY KEY)")
    if internal_domains:
        connection.executemany("INSERT INTO internal_domains VALUES (?)", [[d] for d in internal_domains])
    for statement in _ANALYST_SQL:
        connection.execute(statement)


BUILD_TABLE = "build_info.build"
"""Where a build keeps its inputs' fingerprint, row counts and measures; outside the analysts' schema."""

@dataclass(frozen=True)
class WarehouseBuild:
    """The warehouse file as built: its inputs' fingerprint, each lake table's row count, what was
    measured on it, and whether this call rebuilt it."""

    fingerprint: str
    rows: dict[str, int]
    measures: dict
    rebuilt: bool


def _definitions() -> list[str]:
    """What the views are made of besides the files: the code that writes them and its SQL."""
    sources = [hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest() for module in (conversation, tables)]
    sources.append(hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    specs = [f"{name}:{spec(name).partitioned}:{spec(name).schema}" for name in WAREHOUSE_TABLES]
    return [duckdb.__version__, *sources, *specs, *_ANALYST_SQL]


def definitions_fingerprint() -> str:
    """A digest of what the views are made of besides the files (a build's code, not its data)."""
    return hashlib.sha256(json.dumps(_definitions(), default=str).encode()).hexdigest()


def inputs_fingerprint(lake: Lake, internal_domains: Sequence[str] = (), measured_by: str = "") -> str:
    """A digest of everything a build reads: the lake's files, the definitions, the domains.

    ``measured_by`` is the caller's own part (the code that takes its measures on the file), so a
    change in how the measures are taken also counts as a change of inputs.
    """
    digest = hashlib.sha256()
    parts: list[object] = ["warehouse-inputs-1", *_definitions(), normalise_domains(internal_domains), measured_by]
    parts += [(name, lake.parquet_glob(name), list(lake.file_stamps(name).values())) for name in WAREHOUSE_TABLES]
    for part in parts:
        digest.update(json.dumps(part, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def stored_build(db_path: str | Path, lake: Lake) -> WarehouseBuild | None:
    """What the warehouse file says it was built from; None when there is no file, or it predates
    fingerprints, or it cannot be opened read-only now (another process writes it)."""
    if not Path(db_path).is_file():
        return None
    try:
        with open_warehouse(db_path, lake) as connection:
            row = connection.execute(f"SELECT fingerprint, row_counts, measures FROM {BUILD_TABLE}").fetchone()
    except duckdb.Error:
        return None
    if row is None:
        return None
    fingerprint, rows, measures = row
    return WarehouseBuild(fingerprint, json.loads(rows), json.loads(measures), rebuilt=False)


def refresh_warehouse(
    db_path: str | Path,
    lake: Lake,
    internal_domains: Sequence[str] = (),
    measure: Callable[[duckdb.DuckDBPyConnection], dict] | None = None,
    measured_by: str = "",
    day_index: DayIndex | None = None,
) -> WarehouseBuild:
    """Rebuild the warehouse unless it was built from exactly the current inputs.

    ``measure`` runs on a new file before it is swapped in, and its result (JSON-serialisable) is
    stored with it; an unchanged warehouse returns the measures stored with the same fingerprint.
    A ``day_index`` refreshed just before spares the build from opening every meeting file: the
    meeting tables' row counts and columns come from it.
    """
    domains = normalise_domains(internal_domains)
    fingerprint = inputs_fingerprint(lake, domains, measured_by)
    stored = stored_build(db_path, lake)
    if stored is not None and stored.fingerprint == fingerprint:
        return stored
    return _build_file(db_path, lake, domains, fingerprint, measure, day_index)


def build_warehouse(db_path: str | Path, lake: Lake, internal_domains: Sequence[str] = ()) -> dict[str, int]:
    """Build the warehouse beside ``db_path`` and swap it in, whatever it was built from; returns
    each lake table's row count."""
    domains = normalise_domains(internal_domains)
    return _build_file(db_path, lake, domains, inputs_fingerprint(lake, domains), None).rows


def _build_file(
    db_path: str | Path,
    lake: Lake,
    domains: list[str],
    fingerprint: str,
    measure: Callable[[duckdb.DuckDBPyConnection], dict] | None,
    day_index: DayIndex | None = None,
) -> WarehouseBuild:
    """Only the lake views are counted (from the day index, or DuckDB answers from the Parquet footers); counting the
    analyst views would run their joins on every build. The fingerprint is taken before the build
    reads anything, so a file replaced meanwhile makes the next call rebuild."""
    target = Path(db_path).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open_warehouse(temp, lake, read_only=False) as connection:
            _build(connection, lake, domains, day_index)
            counts = {
                name: day_index.rows(name)
                if day_index is not None and name in MEETING_TABLES
                else connection.execute(f"SELECT count(*) FROM {_quote_identifier(name)}").fetchone()[0]
                for name in WAREHOUSE_TABLES
            }
            stored_measures = json.dumps(measure(connection) if measure else {}, default=str)
            connection.execute("CREATE SCHEMA build_info")
            connection.execute(
                f"CREATE TABLE {BUILD_TABLE} AS SELECT ? AS fingerprint, now() AS built_at, ? AS row_counts, ? AS measures",
                [fingerprint, json.dumps(counts), stored_measures],
            )
            connection.execute("CHECKPOINT")
        # A write-ahead log left by some other writer of the old file would be replayed
        # against the new one; it belongs to the file being replaced.
        Path(f"{target}.wal").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)
    return WarehouseBuild(fingerprint, counts, json.loads(stored_measures), rebuilt=True)


def open_warehouse(db_path: str | Path, lake: Lake, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file whose views can read ``lake`` wherever it is."""
    connection = duckdb.connect(str(db_path), read_only=read_only)
    filesystem = lake.filesystem
    if filesystem is not None:
        connection.register_filesystem(filesystem)
    return connection


def connect(settings: PipelineSettings | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse the ``RELATE_*`` settings name, read-only, with the lake's filesystem registered.

    The Python counterpart of ``relate-pipeline sql``: ``connect().sql("FROM meetings LIMIT 5")``.
    """
    settings = settings or PipelineSettings.from_env()
    path = settings.warehouse_path
    if not Path(path).is_file():
        raise FileNotFoundError(f"no warehouse at {path}; build it with `relate-pipeline run` first")
    return open_warehouse(path, Lake(settings.lake_root))
