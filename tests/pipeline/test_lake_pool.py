"""One step at a time writes the lake, in the instance the CLI configures, whichever run it belongs to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, asset, materialize

from assets.pools import LAKE_POOL
from relate_cli.runs import write_instance_config
from tests.pipeline.conftest import PipelineHarness

DAY = date(2026, 5, 19)
ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 120


def wait_for(condition, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after WAIT_S seconds."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def pool_info(instance: DagsterInstance):
    return instance.event_log_storage.get_concurrency_info(LAKE_POOL)


def step_times(instance: DagsterInstance, run_id: str, kind: DagsterEventType) -> list[float]:
    return [entry.timestamp for entry in instance.all_logs(run_id, of_type=kind)]


def test_a_run_waits_for_the_lake_while_another_runs_step_writes_it(emulator, tmp_path):
    write_instance_config(tmp_path / "home")
    released = threading.Event()

    @asset(pool=LAKE_POOL)
    def holding_the_lake() -> None:
        assert released.wait(WAIT_S)

    with DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        harness = PipelineHarness(emulator, tmp_path / "data")
        harness.instance = instance
        results: dict[str, object] = {}
        first = threading.Thread(target=lambda: results.update(first=materialize([holding_the_lake], instance=instance)))
        first.start()
        wait_for(lambda: pool_info(instance).active_slot_count == 1, "the first run to claim the lake")
        second = threading.Thread(target=lambda: results.update(second=harness.run(DAY, DAY)))
        second.start()
        wait_for(lambda: pool_info(instance).pending_step_count >= 1, "the pipeline to wait for the lake")

        (waiting,) = set(pool_info(instance).pending_run_ids)
        assert step_times(instance, waiting, DagsterEventType.STEP_START) == []
        released.set()
        first.join(WAIT_S)
        second.join(WAIT_S)

        assert results["first"].success and results["second"].success
        (first_done,) = step_times(instance, results["first"].run_id, DagsterEventType.STEP_SUCCESS)
        assert min(step_times(instance, results["second"].run_id, DagsterEventType.STEP_START)) >= first_done
        assert pool_info(instance).active_slot_count == 0


def test_a_run_whose_cli_process_was_killed_holding_the_lake_does_not_block_the_next(make_emulator, tmp_path):
    emulator = make_emulator(days=1, end_date=DAY.isoformat(), meetings_per_day=2, contacts=40, organizations=10)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELATE_") and k != "DAGSTER_HOME"}
    env.update(RELATE_API_BASE_URL=emulator.base_url, RELATE_API_KEY=emulator.api_key, RELATE_DATA_DIR=str(tmp_path / "data"))
    command = [sys.executable, "-m", "relate_cli.main", "run", "--start", DAY.isoformat(), "--end", DAY.isoformat()]
    home = tmp_path / "data" / "dagster_home"
    emulator.admin.set_faults(error_rate=1.0, error_statuses=[503], paths=["/v1/contacts"])
    killed = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # A run's own event database appears once the child has created the instance's databases.
        wait_for(lambda: any(path.stem != "index" for path in (home / "history" / "runs").glob("*.db")), "the first run to start")
        with DagsterInstance.from_config(str(home)) as instance:
            wait_for(lambda: pool_info(instance).active_slot_count == 1, "the first run to claim the lake")
        killed.send_signal(signal.SIGKILL)
    finally:
        killed.wait()
    emulator.admin.set_faults(error_rate=0.0, paths=[])

    rerun = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)

    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "marked failed" in rerun.stderr
    with DagsterInstance.from_config(str(home)) as instance:
        assert [run.status for run in reversed(instance.get_runs())] == [DagsterRunStatus.FAILURE, DagsterRunStatus.SUCCESS]
        assert pool_info(instance).active_slot_count == 0
