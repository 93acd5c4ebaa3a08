"""The Dagster UI as a child process group: `dg dev` on this project's workspace, stopped cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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


def free_port() -> int:
    """A loopback TCP port nothing listens on now, for a UI or code server started next."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen, seconds: float) -> None:
    """Return once the webserver of ``process`` answers on ``port``; RuntimeError if it exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Dagster webserver exited (status {process.returncode}) before serving")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the Dagster webserver did not answer on port {port} within {seconds:g} s")
