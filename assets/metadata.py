"""Materialization metadata and check results shared by every asset."""

from __future__ import annotations

from dagster import AssetCheckResult, MetadataValue, TableColumn, TableSchema

from relate_pipeline.tables import TABLES


def column_schema(name: str) -> TableSchema:
    spec = TABLES[name]
    return TableSchema(
        columns=[TableColumn(field.name, str(field.type), description=spec.describe(field.name)) for field in spec.schema]
    )


def table_metadata(name: str, rows: int) -> dict:
    return {
        "dagster/row_count": MetadataValue.int(rows),
        "dagster/column_schema": column_schema(name),
        "key": MetadataValue.text(", ".join(TABLES[name].key)),
    }


def api_metadata(stats: dict) -> dict:
    """API counters as metadata; the key never appears in them."""
    return {f"api_{name}": MetadataValue.int(int(value)) for name, value in stats.items()}


def unique_key_result(name: str, duplicates: int) -> AssetCheckResult:
    return AssetCheckResult(
        check_name="unique_key",
        asset_key=name,
        passed=duplicates == 0,
        metadata={"duplicate_rows": duplicates, "key": ", ".join(TABLES[name].key)},
    )
