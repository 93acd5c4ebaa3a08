"""Definition metadata, materialization metadata and check results shared by the assets.

An asset here is one step that writes several lake tables (the meeting tables of a day, the
CRM snapshot). What stays the same between runs — each table's columns, key and description —
is definition metadata, shown once in the UI; a materialization carries only what the run
measured, one entry per table, so Dagster plots every table's size over time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dagster import AssetCheckResult, MetadataValue, TableColumn, TableSchema

from relate_pipeline.tables import TABLES


def column_schema(name: str) -> TableSchema:
    spec = TABLES[name]
    return TableSchema(
        columns=[TableColumn(field.name, str(field.type), description=spec.describe(field.name)) for field in spec.schema]
    )


def tables_definition_metadata(names: Iterable[str]) -> dict:
    """The tables an asset writes: a summary of all of them, then each one's column schema."""
    names = list(names)
    summary = "\n".join(
        ["| table | key | what it holds |", "| --- | --- | --- |"]
        + [f"| `{name}` | {', '.join(TABLES[name].key)} | {TABLES[name].description} |" for name in names]
    )
    schemas = {f"columns/{name}": MetadataValue.table_schema(column_schema(name)) for name in names}
    return {"tables": MetadataValue.md(summary), **schemas}


def row_count_metadata(rows: Mapping[str, int]) -> dict:
    return {f"rows/{name}": MetadataValue.int(int(count)) for name, count in rows.items()}


def api_metadata(stats: dict) -> dict:
    """API counters as metadata; the key never appears in them."""
    return {f"api_{name}": MetadataValue.int(int(value)) for name, value in stats.items()}


def unique_keys_result(duplicates: Mapping[str, int]) -> AssetCheckResult:
    """One check over every table of the asset, naming the tables whose key repeats."""
    offending = {name: count for name, count in duplicates.items() if count}
    return AssetCheckResult(
        check_name="unique_keys",
        passed=not offending,
        metadata={
            "duplicate_rows": MetadataValue.json(offending),
            "keys": MetadataValue.json({name: list(TABLES[name].key) for name in duplicates}),
        },
    )
