"""What the fault suite compares and how it drives the pipeline: whole-lake contents, warehouse contents,
file fingerprints, secret scans, and the `relate-pipeline` command in a child process.

Comparisons are of every row of every table, rendered canonically and sorted, so "equal to the
fault-free run" means same rows, nothing missing and nothing duplicated (a multiset comparison).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from assets.resources import RelateApi
from relate_pipeline.client import ClientSettings
from relate_pipeline.lake import Lake
from relate_pipeline.tables import CRM_TABLES, MEETING_TABLES, RAW_TABLES, WAREHOUSE_TABLES
from relate_pipeline.warehouse.build import ANALYST_VIEWS

ROOT = Path(__file__).resolve().parents[2]
FIRST, LAST = date(2026, 5, 18), date(2026, 5, 20)
DAYS = ["2026-05-18", "2026-05-19", "2026-05-20"]
# Small on purpose: every fault case is a whole Dagster range run, and the suite must stay fast.
RELIABILITY_EMULATOR = dict(seed=7, days=3, end_date="2026-05-20", meetings_per_day=6, contacts=40, organizations=10,
                            late_fraction=0.1)
# The shared emulator's key: distinctive, so the secrets scan can search every output for it.
CANARY_KEY = "sk-live-7Qz9XbN2-reliability-canary-e3b0c442"
NO_FAULTS = dict(latency_ms=0, latency_jitter_ms=0, spike_rate=0, spike_ms=0, rate_limit=None, error_rate=0, drop_rate=0)


class TunedRelateApi(RelateApi):
    """The production resource with the client's timeout and retry pacing exposed.

    A latency spike only becomes a timeout when it outlasts the read timeout, and a run that must fail
    after exhausting its retries should not spend half a minute backing off first.
    """

    timeout: float = 30.0
    max_retries: int = 6
    backoff_base: float = 0.5

    def client_settings(self) -> ClientSettings:
        return dataclasses.replace(
            super().client_settings(), timeout=self.timeout, max_retries=self.max_retries, backoff_base=self.backoff_base
        )


@contextmanager
def restored(emulator) -> Iterator:
    """The shared emulator for a case that changes its workspace or faults: seeded state on entry and again on exit.

    The reset also re-seeds the fault generator, so the case meets the same fault verdicts whatever ran before it.
    """
    emulator.admin.reset()
    try:
        yield emulator
    finally:
        emulator.admin.reset()


def canonical(row: dict) -> str:
    return orjson.dumps(row, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str).decode()


def canonical_rows(table: pa.Table, **extra) -> list[str]:
    return [canonical({**row, **extra}) for row in table.to_pylist()]


def lake_contents(lake: Lake) -> dict[str, list[str]]:
    """Every row of every meeting partition (with its date) and CRM snapshot, canonical and sorted."""
    contents: dict[str, list[str]] = {}
    for name in MEETING_TABLES:
        rows = []
        for day in lake.partitions(name):
            rows += canonical_rows(lake.read_partition(name, day), date=day)
        contents[name] = sorted(rows)
    for name in CRM_TABLES:
        snapshot = lake.read_snapshot(name)
        contents[name] = sorted(canonical_rows(snapshot)) if snapshot is not None else []
    return contents


def raw_contents(raw: Lake) -> dict[str, list[str]]:
    """The raw store's rows without the fetch time, which differs between any two runs."""
    contents: dict[str, list[str]] = {}
    for name in RAW_TABLES:
        rows = []
        for day in raw.partitions(name):
            table = raw.read_partition(name, day)
            if "fetched_at" in table.column_names:
                table = table.drop_columns(["fetched_at"])
            bodies = [None if b is None else hashlib.sha256(b).hexdigest() for b in table.column("body").to_pylist()]
            table = table.drop_columns(["body"]).append_column("body_sha256", pa.array(bodies, pa.string()))
            rows += canonical_rows(table, date=day)
        contents[name] = sorted(rows)
    return contents


SNAPSHOT_TIME_COLUMNS = frozenset({"snapshot_at", "valid_from", "valid_to"})
"""When a run took its CRM snapshot, and the history versions' bounds taken from it: like the raw
store's fetch time, they differ between any two runs of the same workspace."""


def warehouse_contents(path: str | Path) -> dict[str, list[str]]:
    """Every row of every view of the warehouse, read through a read-only connection as an analyst
    would, without the snapshot times (`SNAPSHOT_TIME_COLUMNS`)."""
    contents: dict[str, list[str]] = {}
    with duckdb.connect(str(path), read_only=True) as connection:
        for name in (*WAREHOUSE_TABLES, *ANALYST_VIEWS):
            result = connection.execute(f'SELECT * FROM "{name}"')
            columns = [c[0] for c in result.description]
            contents[name] = sorted(
                canonical({c: v for c, v in zip(columns, row) if c not in SNAPSHOT_TIME_COLUMNS})
                for row in result.fetchall()
            )
    return contents


def fingerprints(root: str | Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path: byte-level evidence that nothing was touched."""
    root = Path(root)
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def parquet_text(path: Path) -> bytes:
    """A Parquet file's decoded content (values and metadata): compression would hide a secret from a byte scan."""
    parquet = pq.ParquetFile(path)
    table = parquet.read()
    parts = [str(parquet.metadata.metadata or {}).encode(), str(table.schema).encode()]
    for column in table.columns:
        for value in column.to_pylist():
            parts.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(parts)


def duckdb_text(path: Path) -> bytes:
    """A DuckDB file's catalog (view and table definitions) and the rows of its tables."""
    parts = []
    with duckdb.connect(str(path), read_only=True) as connection:
        views = connection.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall()
        parts += [str(row).encode() for row in views]
        tables = connection.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        for schema, table in tables:
            parts += [str(row).encode() for row in connection.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()]
    return b"\n".join(parts)


def secret_hits(root: str | Path, secrets: list[str]) -> list[str]:
    """Files under ``root`` holding any of ``secrets``: raw bytes everywhere, decoded content for Parquet and DuckDB."""
    needles = [s.encode() for s in secrets]
    hits = []
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file():
            continue
        contents = [path.read_bytes()]
        if path.suffix == ".parquet":
            contents.append(parquet_text(path))
        elif path.suffix == ".duckdb":
            contents.append(duckdb_text(path))
        if any(needle in content for needle in needles for content in contents):
            hits.append(str(path))
    return hits


def cli_env(**values: str) -> dict[str, str]:
    """The inherited environment minus any pipeline or Dagster setting, plus ``values``."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("RELATE_", "DAGSTER_"))}
    return {**inherited, **values}


def run_cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """`relate-pipeline ARGS` in a child process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "relate_cli.main", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
