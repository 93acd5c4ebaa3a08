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

from relate_pipeline.warehouse.conversation import CONVERSATION_SAMPLE_QUERY
from relate_pipeline.tables import WAREHOUSE_TABLES

if TYPE_CHECKING:
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


def print_summary(connection: duckdb.DuckDBPyConnection, warehouse_path: str, out: TextIO = sys.stdout) -> None:
    print(f"\nWarehouse: {warehouse_path}", file=out)
    for name in WAREHOUSE_TABLES:
        rows = connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        print(f"  {name:<24} {rows:>9,} rows", file=out)
    for query in (SAMPLE_QUERY, CONVERSATION_SAMPLE_QUERY):
        print(f"\nSample analyst query:\n{query}", file=out)
        print_result(connection.execute(query), "table", out)


def print_run_summary(settings: PipelineSettings, out: TextIO = sys.stdout) -> None:
    """The summary after a run, read from the warehouse the run built."""
    from relate_pipeline.warehouse.build import connect

    with connect(settings) as connection:
        print_summary(connection, settings.warehouse_path, out)


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
