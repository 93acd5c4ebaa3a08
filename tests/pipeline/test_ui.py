"""`relate-pipeline ui`: the Dagster UI on the embedded emulator, and a run launched through it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psutil
import pytest
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


@pytest.mark.parametrize(
    "launcher",
    [[str(Path(sys.executable).with_name("relate-pipeline"))], [sys.executable, str(ROOT / "dev.py")]],
    ids=["relate-pipeline", "dev.py"],
)
def test_sigterm_stops_everything_the_ui_started_and_frees_its_port(tmp_path, launcher):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_")}
    env.update(RELATE_DATA_DIR=str(tmp_path / "data"), DAGSTER_HOME=str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").touch()
    with (tmp_path / "ui.log").open("w") as log:
        process = subprocess.Popen(
            [*launcher, "ui", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_serving(port, process, seconds=240)
            started = psutil.Process(process.pid).children(recursive=True)
            process.send_signal(signal.SIGTERM)
            status = process.wait(timeout=90)
        finally:
            if process.poll() is None:
                process.kill()

    assert status == 0
    assert len(started) >= 4, [child.cmdline() for child in started]
    _, alive = psutil.wait_procs(started, timeout=5)
    assert alive == []
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the webserver binds: a closed connection's TIME_WAIT is no listener
        sock.bind(("127.0.0.1", port))
        sock.listen()
