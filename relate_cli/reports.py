"""What the CLI prints: the summary after a run, and query results as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

import duckdb
from tabulate import tabulate

from relate_pipeline.lake import Lake
from relate_pipeline.tables import CRM_TABLES, MEETING_TABLES
from relate_pipeline.warehouse.conversation import CONVERSATION_SAMPLE_QUERY
from relate_pipeline.warehouse.build import open_warehouse
from relate_pipeline.warehouse.deals import DEAL_SAMPLE_QUERY
from relate_pipeline.warehouse.trackers import TRACKER_SAMPLE_QUERY

if TYPE_CHECKING:
    from relate_pipeline.day_index import DayIndex
    from relate_pipeline.settings import PipelineSettings

FORMATS = ("table", "csv", "json")

SAMPLE_QUERY = """SELECT organization_name,
       count(DISTINCT event_id)  AS meetings,
       count(*) FILTER (WHERE match_type = 'contact_email') AS known_contacts,
       min(start_at)::DATE       AS first_meeting
FROM meeting_participants
WHERE NOT is_internal AND organization_name IS NOT NULL
GROUP BY organization_name
ORDER BY meetings DESC, organization_name
LIMIT 5"""


RUN_DAYS_VIEWS = ("meeting_participants", "meetings", "recording_stats", "tracker_stats")
"""The analyst views the sample queries read, narrowed to the run's days for the summary."""


def print_summary(
    warehouse_path: str, lake: Lake, index: DayIndex, first_day: date, last_day: date, out: TextIO = sys.stdout
) -> None:
    """The run's days: each meeting table's rows on them and in the whole lake, the CRM snapshots'
    rows, and the sample queries over those days.

    Nothing here reads the history: the row counts come from the day index and the snapshots'
    Parquet footers, and the sample queries keep their documented text but read views of the run's
    days only.
    """
    low, high = first_day.isoformat(), last_day.isoformat()
    print(f"\nWarehouse: {warehouse_path}", file=out)
    print(f"Meeting tables: rows on {low} .. {high}, and on all {len(index.days()):,} days in the lake", file=out)
    for name in MEETING_TABLES:
        print(f"  {name:<24} {index.rows(name, low, high):>9,} rows {index.rows(name):>12,} in all", file=out)
    print("CRM snapshots:", file=out)
    for name in CRM_TABLES:
        print(f"  {name:<24} {lake.snapshot_rows(name) or 0:>9,} rows", file=out)
    with _run_days_views(warehouse_path, lake, first_day, last_day) as connection:
        for query in (SAMPLE_QUERY, CONVERSATION_SAMPLE_QUERY, TRACKER_SAMPLE_QUERY):
            print(f"\nSample analyst query, over the run's days:\n{query}", file=out)
            print_result(connection.execute(query), "table", out)
    with open_warehouse(warehouse_path, lake) as connection:
        print(f"\nSample analyst query, over every day (a deal's meetings span its life):\n{DEAL_SAMPLE_QUERY}", file=out)
        print_result(connection.execute(DEAL_SAMPLE_QUERY), "table", out)


def _run_days_views(warehouse_path: str, lake: Lake, first_day: date, last_day: date) -> duckdb.DuckDBPyConnection:
    """An in-memory database whose ``RUN_DAYS_VIEWS`` are the warehouse's, narrowed to the days.

    The warehouse is attached read-only under its own name, so its views keep resolving inside it;
    a view of the same name over it would otherwise be bound in place of the one it narrows.
    """
    connection = duckdb.connect()
    if lake.filesystem is not None:
        connection.register_filesystem(lake.filesystem)
    connection.execute(f"ATTACH {_quote(str(warehouse_path))} AS warehouse (READ_ONLY)")
    for view in RUN_DAYS_VIEWS:
        connection.execute(
            f"CREATE VIEW {view} AS SELECT * FROM warehouse.main.{view} "
            f"WHERE date BETWEEN DATE '{first_day.isoformat()}' AND DATE '{last_day.isoformat()}'"
        )
    return connection


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def print_run_summary(settings: PipelineSettings, first_day: date, last_day: date, out: TextIO = sys.stdout) -> None:
    """The summary after a run of ``first_day`` .. ``last_day``, from the warehouse the settings name."""
    from relate_pipeline.day_index import refresh_day_index

    lake = Lake(settings.lake_root)
    print_summary(settings.warehouse_path, lake, refresh_day_index(lake), first_day, last_day, out)


def print_result(result: duckdb.DuckDBPyConnection, output_format: str, out: TextIO = sys.stdout) -> None:
    """One query's rows; ``json`` is a list of row objects keyed by column name."""
    columns = [column[0] for column in result.description or ()]
    rows = result.fetchall()
    if output_format == "json":
        json.dump([dict(zip(columns, row)) for row in rows], out, default=_json_value, ensure_ascii=False)
        out.write("\n")
    elif output_format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print(tabulate(rows, headers=columns, tablefmt="simple", missingval=""), file=out)


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)
