"""The Dagster UI as a child process group: `dg dev` on this project's workspace, stopped cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_ui(port: int, environ: dict[str, str] | None = None, **popen: object) -> subprocess.Popen:
    """`dg dev` (Dagster's current entry point; `dagster dev` is superseded) on the instance DAGSTER_HOME names.

    ``environ`` replaces this process's environment for the UI (the benchmarks start one per data
    directory); ``popen`` passes on, e.g. where its output goes.
    """
    dg = Path(sys.executable).with_name("dg")
    command = [str(dg), "dev", "-w", str(ROOT / "workspace.yaml"), "-p", str(port)]
    env = {**(os.environ if environ is None else environ), "VIRTUAL_ENV": sys.prefix}
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, **popen)


def stop_process_group(process: subprocess.Popen) -> None:
    """`dg dev` shuts its webserver, daemon and code servers down on SIGINT, not SIGTERM."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
