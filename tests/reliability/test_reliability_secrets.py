"""The API key never lands in any output: a full `relate-pipeline run` and a failing run, with a distinctive
key, then every byte they left behind is searched for it (decoded, for compressed Parquet and DuckDB).
"""

from __future__ import annotations

import io
import logging
import random
import sqlite3
import string
import traceback
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, EnvVar, materialize

from assets.automation import range_tags
from assets.resources import Lakehouse, LookBack
from relate_pipeline.emulator import EmulatorProcess
from tests.pipeline.conftest import ALL_ASSETS
from tests.reliability.reliability_support import (
    CANARY_KEY,
    FIRST,
    LAST,
    TunedRelateApi,
    cli_env,
    restored,
    run_cli,
    secret_hits,
)

KEY = CANARY_KEY
# Half a key is still a leak: catches truncated or partly masked echoes.
NEEDLES = [KEY, KEY[:22], KEY[22:]]


@dataclass(frozen=True)
class Outputs:
    data_dir: Path
    stdout: str
    stderr: str
    returncode: int
    failure_text: str
    failure_logs: str
    failure_home: Path


@pytest.fixture(scope="module")
def outputs(reliability_emulator, tmp_path_factory) -> Outputs:
    root = tmp_path_factory.mktemp("secrets")
    assert reliability_emulator.api_key == KEY
    with restored(reliability_emulator) as emulator:
        domains = ",".join(emulator.admin.snapshot()["internal_domains"])
        emulator.admin.set_faults(error_rate=0.05, drop_rate=0.03)
        run = run_cli(
            "run", "--start", FIRST.isoformat(), "--end", LAST.isoformat(),
            env=cli_env(RELATE_API_BASE_URL=emulator.base_url, RELATE_API_KEY=KEY, RELATE_DATA_DIR=str(root / "data"),
                        RELATE_INTERNAL_DOMAINS=domains),
        )
        emulator.admin.set_faults(error_rate=1.0, drop_rate=0)
        failure_text, failure_logs = failing_run(emulator, root)
    return Outputs(root / "data", run.stdout, run.stderr, run.returncode, failure_text, failure_logs,
                   root / "failing_home")


def failing_run(emulator: EmulatorProcess, root: Path) -> tuple[str, str]:
    """A run failing inside an asset, configured as a deployment is (key from the environment); its error and logs."""
    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    logger = logging.getLogger("relate_pipeline")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("RELATE_API_KEY", KEY)
            api = TunedRelateApi(base_url=emulator.base_url, api_key=EnvVar("RELATE_API_KEY"), max_retries=2,
                                 backoff_base=0.01)
            lakehouse = Lakehouse(data_dir=str(root / "failing_data"))
            (root / "failing_home").mkdir()
            with DagsterInstance.local_temp(tempdir=str(root / "failing_home")) as instance:
                with pytest.raises(Exception) as caught:
                    materialize(ALL_ASSETS, resources={"relate_api": api, "lakehouse": lakehouse, "look_back": LookBack()},
                                instance=instance,
                                tags=range_tags(FIRST, LAST))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    return "".join(traceback.format_exception(caught.value)) + repr(caught.value), logs.getvalue()


def test_scanner_finds_a_key_inside_zstd_parquet_duckdb_and_sqlite(tmp_path):
    rng = random.Random(1)
    # Among high-entropy values zstd entropy-codes its literals, so the key's bytes are not in the file as such.
    values = ["".join(rng.choice(string.ascii_lowercase) for _ in range(40)) for _ in range(2000)]
    values[1000] = KEY
    pq.write_table(pa.table({"body": values}), tmp_path / "a.parquet", compression="zstd")
    with duckdb.connect(str(tmp_path / "b.duckdb")) as connection:
        connection.execute(f"CREATE VIEW v AS SELECT '{KEY}' AS k")
    with sqlite3.connect(tmp_path / "c.db") as connection:
        connection.execute("CREATE TABLE t (v TEXT)")
        connection.execute("INSERT INTO t VALUES (?)", [KEY])
    assert not any(needle.encode() in (tmp_path / "a.parquet").read_bytes() for needle in NEEDLES)
    assert secret_hits(tmp_path, NEEDLES) == [str(tmp_path / name) for name in ("a.parquet", "b.duckdb", "c.db")]


def test_full_run_under_faults_succeeds(outputs):
    assert outputs.returncode == 0, outputs.stderr[-3000:]


def test_full_run_leaves_the_key_in_no_file_of_lake_raw_store_warehouse_or_dagster_home(outputs):
    files = {path.suffix for path in outputs.data_dir.rglob("*") if path.is_file()}
    assert {".parquet", ".duckdb", ".db", ".yaml"} <= files
    assert (outputs.data_dir / "dagster_home").is_dir()
    assert secret_hits(outputs.data_dir, NEEDLES) == []


def test_full_run_prints_the_key_nowhere_on_stdout_or_stderr(outputs):
    assert outputs.stdout and outputs.stderr
    assert not any(needle in outputs.stdout + outputs.stderr for needle in NEEDLES)


def test_failed_run_exception_text_and_logs_never_show_the_key(outputs):
    assert "HTTP 50" in outputs.failure_text and "retry" in outputs.failure_logs
    assert not any(needle in outputs.failure_text + outputs.failure_logs for needle in NEEDLES)


def test_failed_run_event_log_never_shows_the_key(outputs):
    assert list(outputs.failure_home.rglob("*.db"))
    assert secret_hits(outputs.failure_home, NEEDLES) == []
