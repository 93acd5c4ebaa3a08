"""Running the emulator in a child process, for tests, the demo and benchmarks.

The child is a real server on a free port, so callers exercise real sockets. The API key travels in the
child's environment rather than on its command line, where any process listing would show it. The
child watches its stdin and exits when the parent goes away, so a killed test run leaves no server.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Sequence

from .admin_client import EmulatorAdmin
from .cli import DEMO_API_KEY, READY_PREFIX

START_TIMEOUT_S = 30.0
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class EmulatorStartError(RuntimeError):
    pass


class EmulatorProcess:
    def __init__(self, *, api_key: str = DEMO_API_KEY, seed: int = 7, days: int = 7,
                 end_date: str | dt.date | None = None, meetings_per_day: int = 40, contacts: int = 300,
                 organizations: int = 60, latency_ms: float = 0.0, rate_limit: float | None = None,
                 rate_limit_kind: str = "token_bucket", rate_limit_burst: float | None = None,
                 rate_limit_headers: bool = False, error_rate: float = 0.0,
                 drop_rate: float = 0.0, max_page_size: int = 100, late_fraction: float = 0.1,
                 drift_fraction: float = 0.0, extra_args: Sequence[str] = ()) -> None:
        if not api_key:
            raise ValueError("api_key must be a non-empty string")
        if isinstance(end_date, str):
            end_date = dt.date.fromisoformat(end_date)
        self.api_key = api_key
        self.seed = seed
        self.end_date = end_date
        self._args = [
            "--seed", str(seed), "--days", str(days), "--meetings-per-day", str(meetings_per_day),
            "--contacts", str(contacts), "--organizations", str(organizations), "--latency-ms", str(latency_ms),
            *([] if rate_limit is None else ["--rate-limit", str(rate_limit)]),
            "--rate-limit-kind", rate_limit_kind,
            *([] if rate_limit_burst is None else ["--rate-limit-burst", str(rate_limit_burst)]),
            *(["--rate-limit-headers"] if rate_limit_headers else []),
            "--error-rate", str(error_rate), "--drop-rate", str(drop_rate),
            "--max-page-size", str(max_page_size), "--late-fraction", str(late_fraction),
            "--drift-fraction", str(drift_fraction),
            *(["--end-date", end_date.isoformat()] if end_date else []), *extra_args,
        ]
        self._process: subprocess.Popen | None = None
        self._stderr = None
        self.base_url = ""
        self.port = 0
        self.admin: EmulatorAdmin | None = None

    def __repr__(self) -> str:
        return f"EmulatorProcess(base_url={self.base_url!r}, seed={self.seed}, end_date={self.end_date})"

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "relate_pipeline.emulator", "--host", "127.0.0.1", "--port", "0",
                "--exit-on-stdin-close", *self._args]

    def _failure(self, reason: str) -> EmulatorStartError:
        self._stderr.seek(0)
        stderr = self._stderr.read().decode(errors="replace").strip()
        self.stop()
        return EmulatorStartError(f"{reason}; emulator stderr:\n{stderr or '(empty)'}")

    def start(self) -> "EmulatorProcess":
        if self._process is not None:
            raise RuntimeError("this emulator process is already running")
        env = dict(os.environ, RELATE_API_KEY=self.api_key)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._stderr, env=env)
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self._process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), name="emulator-ready", daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT_S).decode().strip()
        except queue.Empty:
            raise self._failure(f"the emulator did not report ready within {START_TIMEOUT_S:.0f} s") from None
        if not line.startswith(READY_PREFIX):
            self._process.wait(timeout=5)
            raise self._failure(f"the emulator exited with status {self._process.returncode} before listening")
        self.base_url = line[len(READY_PREFIX):]
        self.port = int(self.base_url.rsplit(":", 1)[1].split("/", 1)[0])
        self.admin = EmulatorAdmin(self.base_url, self.api_key)
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> "EmulatorProcess":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
