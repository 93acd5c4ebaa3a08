"""`relate-pipeline ui`: the Dagster UI on the embedded emulator, and a run launched through it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient

from relate_cli.ui import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]


def test_ui_without_a_key_says_it_uses_the_emulator_and_runs_launched_through_it_succeed(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_")}
    env.update(RELATE_DATA_DIR=str(tmp_path / "data"), DAGSTER_HOME=str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").touch()
    log = (tmp_path / "ui.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "relate_cli.main", "ui", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(port, process, seconds=240)
        client = DagsterGraphQLClient("127.0.0.1", port_number=port)
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        run_id = client.submit_job_execution("relate_meetings", tags={"dagster/partition": yesterday})
        deadline = time.monotonic() + 240
        status = client.get_run_status(run_id)
        while status not in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE) and time.monotonic() < deadline:
            time.sleep(2)
            status = client.get_run_status(run_id)
        assert status == DagsterRunStatus.SUCCESS
        assert (tmp_path / "data" / "lake" / "recordings" / f"date={yesterday}" / "part.parquet").exists()
    finally:
        process.terminate()
        process.wait(timeout=90)
        log.close()
    output = (tmp_path / "ui.log").read_text()
    assert "wired to the embedded EMULATOR" in output
    assert "SupersessionWarning" not in output and "DeprecationWarning" not in output
