"""The DuckDB warehouse: views over the lake plus the joined views analysts query.

The database holds no copies of the data, only view definitions over the lake's Parquet
files (by absolute path or URL), the ``name_key`` and ``case_fold`` macros the conversation views
share, and the small ``internal_domains`` table, so rebuilding is cheap. A view reads the files
matching its table's pattern when queried, so days rewritten later show up without a rebuild; a
table that had no file at all when the warehouse was built stays a typed empty view until the
next build.  It is built into a temporary file and renamed into place: an analyst holding the
old file open (even read-only, which takes a lock) never blocks a rebuild, and keeps querying
the old file until reconnecting.

A lake on an object store is read through its fsspec filesystem, registered with each DuckDB
connection (a registration lasts one connection, and needs no DuckDB extension download):
open the warehouse with :func:`connect` or :func:`open_warehouse`, which do that.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from relate_pipeline.conversation import ACTION_ITEMS_SQL, CONVERSATION_SQL, CONVERSATION_VIEWS, NAME_KEY_MACRO
from relate_pipeline.lake import Lake
from relate_pipeline.settings import PipelineSettings
from relate_pipeline.tables import MEETING_TABLES, TIMESTAMP, WAREHOUSE_TABLES, TableSpec, spec

ANALYST_VIEWS: tuple[str, ...] = ("meeting_participants", "meetings", "action_items", "transcripts", *CONVERSATION_VIEWS)

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


def _lake_view_sql(connection: duckdb.DuckDBPyConnection, table_spec: TableSpec, lake: Lake) -> str:
    """A typed view over the table's files, or a typed empty view when it has none yet.

    Columns are listed from the spec (not ``*``) so every view has the spec's order and
    types, and a column absent from all files (written before it was added) reads as null.
    """
    pattern = lake.parquet_glob(table_spec.name)
    (file_count,) = connection.execute("SELECT count(*) FROM glob(?)", [pattern]).fetchone()
    columns = [(field.name, duckdb_type(field.type)) for field in table_spec.schema]
    if table_spec.partitioned:
        columns.append(("date", "DATE"))
    if file_count == 0:
        select = ", ".join(f"CAST(NULL AS {t}) AS {_quote_identifier(n)}" for n, t in columns)
        return f"SELECT {select} WHERE false"
    hive = ", hive_partitioning = true, hive_types = {'date': DATE}" if table_spec.partitioned else ""
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
    JOIN recordings r ON r.recording_id = er.recording_id
    WHERE er.status = 'done'
),
participants AS (
    SELECT
        event_id,
        count(*) FILTER (WHERE is_internal) AS internal_participant_count,
        count(*) FILTER (WHERE NOT is_internal) AS external_participant_count
    FROM meeting_participants
    GROUP BY event_id
),
external_organizations AS (
    SELECT DISTINCT event_id, organization_id, organization_name
    FROM meeting_participants
    WHERE NOT is_internal AND organization_id IS NOT NULL
),
organization_lists AS (
    SELECT
        event_id,
        list(organization_id ORDER BY organization_id) AS organization_ids,
        list(organization_name ORDER BY organization_name) FILTER (WHERE organization_name IS NOT NULL)
            AS organization_names
    FROM external_organizations
    GROUP BY event_id
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
LEFT JOIN fetched f ON f.event_id = e.event_id
LEFT JOIN participants p ON p.event_id = e.event_id
LEFT JOIN organization_lists ol ON ol.event_id = e.event_id
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
    coalesce(m.date, u.date) AS date,
    coalesce(m.organization_names, CAST([] AS VARCHAR[])) AS organization_names
FROM transcript_utterances u
LEFT JOIN meetings m ON m.recording_id = u.recording_id
"""

_ANALYST_SQL = (NAME_KEY_MACRO, MEETING_PARTICIPANTS_SQL, MEETINGS_SQL, ACTION_ITEMS_SQL, TRANSCRIPTS_SQL, *CONVERSATION_SQL)


def _build(connection: duckdb.DuckDBPyConnection, lake: Lake, internal_domains: list[str]) -> None:
    for name in WAREHOUSE_TABLES:
        connection.execute(f"CREATE VIEW {_quote_identifier(name)} AS {_lake_view_sql(connection, spec(name), lake)}")
    connection.execute("CREATE TABLE internal_domains (domain VARCHAR PRIMARY KEY)")
    if internal_domains:
        connection.executemany("INSERT INTO internal_domains VALUES (?)", [[d] for d in internal_domains])
    for statement in _ANALYST_SQL:
        connection.execute(statement)


def cross_day_duplicates(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per meeting table, the rows whose key another row anywhere in the lake also holds.

    Keys are unique within a day by construction; across days they are unique only if every
    moved or deleted meeting was taken off the day it left, which is what this measures: an
    event id or recording id on two days counts here.
    """
    duplicates = {}
    for name in MEETING_TABLES:
        key = ", ".join(_quote_identifier(column) for column in spec(name).key)
        table = _quote_identifier(name)
        (count,) = connection.execute(
            f"SELECT (SELECT count(*) FROM {table}) - (SELECT count(*) FROM (SELECT DISTINCT {key} FROM {table}))"
        ).fetchone()
        duplicates[name] = int(count)
    return duplicates


def build_warehouse(db_path: str | Path, lake: Lake, internal_domains: Sequence[str] = ()) -> dict[str, int]:
    """Build the warehouse beside ``db_path`` and swap it in; returns each lake table's row count.

    Only the lake views are counted (DuckDB answers from the Parquet footers); counting the
    analyst views would run their joins on every build.
    """
    domains = normalise_domains(internal_domains)
    target = Path(db_path).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open_warehouse(temp, lake, read_only=False) as connection:
            _build(connection, lake, domains)
            counts = {
                name: connection.execute(f"SELECT count(*) FROM {_quote_identifier(name)}").fetchone()[0]
                for name in WAREHOUSE_TABLES
            }
            connection.execute("CHECKPOINT")
        # A write-ahead log left by some other writer of the old file would be replayed
        # against the new one; it belongs to the file being replaced.
        Path(f"{target}.wal").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}.wal").unlink(missing_ok=True)
    return counts


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
