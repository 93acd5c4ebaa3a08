"""What every benchmark section shares: the emulator, the two contenders, and how a run is measured.

Both contenders run as child processes and are measured the same way from outside: wall time
from spawn to exit, and peak resident memory of the whole process tree (sampled with psutil,
summed over the process and its descendants, so dlt's normalize workers count too). The emulator
runs in its own process, outside the measured tree, but on the same two cores.

Before anything is measured the emulator is warmed (every done recording fetched once): it
generates a recording's transcript on first request and caches the bytes, and neither contender
should pay for the emulator's start-up work.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient, day_window
from relate_pipeline.emulator import EmulatorProcess

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DLT_VENV = BENCH_DIR / ".venv-dlt"
DLT_REQUIREMENT = "dlt[duckdb,parquet]==1.31.0"
PEER_SCRIPT = BENCH_DIR / "peer_dlt.py"
OURS_CLI = Path(sys.executable).with_name("relate-pipeline")
POLL_S = 0.01
UTC = ZoneInfo("UTC")


@dataclass
class RunTimeline:
    """When the latest run in a Dagster home was created, started and ended, and how long each step took."""

    created: float
    run_start: float | None
    run_end: float | None
    steps: dict[str, float]
    events: int


def latest_run_timeline(home: Path) -> RunTimeline:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records(limit=1)
        logs = instance.all_logs(record.dagster_run.run_id)
    starts: dict[str, float] = {}
    timeline = RunTimeline(record.create_timestamp.timestamp(), None, None, {}, len(logs))
    for entry in logs:
        kind = entry.dagster_event.event_type_value if entry.dagster_event else None
        if kind in ("PIPELINE_START", "RUN_START"):
            timeline.run_start = entry.timestamp
        elif kind in ("PIPELINE_SUCCESS", "RUN_SUCCESS"):
            timeline.run_end = entry.timestamp
        elif kind == "STEP_START":
            starts[entry.step_key] = entry.timestamp
        elif kind == "STEP_SUCCESS":
            timeline.steps[entry.step_key] = entry.timestamp - starts[entry.step_key]
    return timeline


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def last_full_day() -> date:
    """The benchmark window ends yesterday (UTC), so no day is still growing and none is in the future."""
    return datetime.now(timezone.utc).date() - timedelta(days=1)


@dataclass(frozen=True)
class Window:
    first: date
    last: date

    @classmethod
    def ending_yesterday(cls, days: int) -> "Window":
        last = last_full_day()
        return cls(last - timedelta(days=days - 1), last)

    @classmethod
    def weekday_before_today(cls) -> "Window":
        """One working day (the emulator books fewer meetings at weekends), so sizes do not depend on the run date."""
        day = last_full_day()
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return cls(day, day)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def unix_bounds(self) -> tuple[int, int]:
        return day_window(self.first, self.last, UTC)


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int
    cpu_seconds: float = 0.0
    started_at: float = 0.0
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")

    def check(self, what: str) -> "Measured":
        if self.returncode != 0:
            raise RuntimeError(f"{what} exited with status {self.returncode}:\n{self.stderr[-4000:]}")
        return self


class TreeRss:
    """Resident memory of a process and its descendants, cheap enough to sample every 10 ms.

    Finding the descendants scans every process on the machine (about 2.7 ms of CPU, a quarter of
    a core at 10 ms intervals, taken from the two cores the contenders run on), so the tree is
    re-read every ``MEMBERS_EVERY_S`` and only the known members' RSS is read in between.
    """

    MEMBERS_EVERY_S = 0.25

    def __init__(self, root: psutil.Process) -> None:
        self._root = root
        self._members: list[psutil.Process] = [root]
        self._members_read = 0.0

    def sample(self) -> int:
        now = time.perf_counter()
        if now - self._members_read >= self.MEMBERS_EVERY_S:
            try:
                self._members = [self._root, *self._root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return 0
            self._members_read = now
        total = 0
        for member in self._members:
            try:
                total += member.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(command: Sequence[str], env: dict[str, str], cwd: Path = ROOT) -> Measured:
    """Spawn, sample the tree's RSS every 10 ms until exit, and time it; output goes to temp files.

    CPU seconds (user + system of the child and every descendant it reaped) are taken from the
    kernel's accounting of terminated children: on a shared machine they move far less than wall
    time when other work competes for the cores.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        cpu_before = _children_cpu()
        started_at, started = time.time(), time.perf_counter()
        child = subprocess.Popen(list(command), env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        tree = TreeRss(psutil.Process(child.pid))
        peak = 0
        while child.poll() is None:
            peak = max(peak, tree.sample())
            time.sleep(POLL_S)
        seconds = time.perf_counter() - started
        cpu_seconds = _children_cpu() - cpu_before
        out.seek(0)
        err.seek(0)
        return Measured(
            seconds=seconds,
            peak_rss_mb=peak / 2**20,
            returncode=child.returncode,
            cpu_seconds=cpu_seconds,
            started_at=started_at,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


class RequestSpan:
    """When the emulator's public request count first passed ``skip`` and when it last changed, by polling.

    Admin calls are not counted as public requests, so polling does not disturb what it measures.
    ``skip`` leaves out requests made before the work starts (the CLI's one pre-flight check,
    which precedes Dagster's start-up by seconds). ``idle_seconds`` adds up the pauses inside the
    span longer than ``idle_after_s`` in which no request arrived: time spent between API calls.
    """

    def __init__(self, emulator: EmulatorProcess, skip: int = 0, interval_s: float = 0.02, idle_after_s: float = 0.25) -> None:
        self._admin = emulator.admin
        self._skip = skip
        self._interval = interval_s
        self._idle_after = idle_after_s
        self._stop = threading.Event()
        self._changes: list[float] = []
        self.requests = 0
        self._thread = threading.Thread(target=self._watch, name="request-span", daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            total = self._admin.stats()["total_requests"]
            now = time.perf_counter()
            if total != self.requests:
                if total > self._skip:
                    self._changes.append(now)
                self.requests = total
            self._stop.wait(self._interval)

    def __enter__(self) -> "RequestSpan":
        self._admin.reset_stats()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.requests = self._admin.stats()["total_requests"]

    @property
    def counted(self) -> int:
        return max(self.requests - self._skip, 0)

    @property
    def seconds(self) -> float:
        return self._changes[-1] - self._changes[0] if self._changes else 0.0

    @property
    def idle_seconds(self) -> float:
        gaps = (later - earlier for earlier, later in zip(self._changes, self._changes[1:]))
        return sum(gap for gap in gaps if gap > self._idle_after)


# ------------------------------------------------------------------ emulator
@contextmanager
def warm_emulator(window: Window, meetings_per_day: int, latency_ms: float, rate_limit: float | None = None,
                  contacts: int = 300) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(
        days=window.days, end_date=window.last, meetings_per_day=meetings_per_day,
        latency_ms=latency_ms, rate_limit=rate_limit, contacts=contacts,
    ) as emulator:
        warm(emulator)
        yield emulator


def done_recording_ids(emulator: EmulatorProcess) -> list[str]:
    settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)
    with RelateClient(settings) as client:
        return [
            recording["id"]
            for event in client.list_calendar_events()
            for recording in event.get("recordings") or []
            if recording.get("status") == "done"
        ]


def fetch_bodies(emulator: EmulatorProcess, ids: Sequence[str], concurrency: int = 32) -> list[bytes]:
    async def fetch() -> list[bytes]:
        settings = ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key, max_concurrency=concurrency)
        async with AsyncRelateClient(settings) as client:
            return [body async for _, body in client.get_recordings_raw(ids) if isinstance(body, bytes)]

    return asyncio.run(fetch())


def warm(emulator: EmulatorProcess) -> int:
    """Fetch every done recording once (without latency or rate limit), so its bytes are cached."""
    faults = emulator.admin.faults()
    emulator.admin.set_faults(latency_ms=0, rate_limit=None)
    try:
        bodies = fetch_bodies(emulator, done_recording_ids(emulator))
    finally:
        emulator.admin.set_faults(latency_ms=faults["latency_ms"], rate_limit=faults["rate_limit"])
    return len(bodies)


# ------------------------------------------------------------------ ours
OUR_COUNTS_SQL = {
    "calendar_events": "calendar_events",
    "event_attendees": "event_attendees",
    "event_recordings": "event_recordings",
    "recordings": "recordings",
    "recording_topics": "recording_topics",
    "recording_action_items": "recording_action_items",
    "transcript_utterances": "transcript_utterances",
    "contacts": "contacts",
    "contact_emails": "contact_emails",
    "organizations": "organizations",
    "organization_domains": "organization_domains",
}

# Our table -> the table dlt's normalizer makes of the same records.
PEER_TABLES = {
    "calendar_events": "calendar_events",
    "event_attendees": "calendar_events__attendees",
    "event_recordings": "calendar_events__recordings",
    "recordings": "recordings",
    "recording_topics": "recordings__summary__topics",
    "recording_action_items": "recordings__summary__action_items",
    "transcript_utterances": "recordings__transcript__words",
    "contacts": "contacts",
    "contact_emails": "contacts__emails",
    "organizations": "organizations",
    "organization_domains": "organizations__domains",
}


class Ours:
    """`relate-pipeline run` as a user runs it, each run into a fresh data directory.

    The Dagster instance (DAGSTER_HOME) is created once and kept, as in any deployment after its
    first run; creating its SQLite databases is measured separately (`cold_home`).
    """

    def __init__(self, work: Path) -> None:
        self.work = work
        self.home = work / "dagster_home"
        self._runs = 0

    @staticmethod
    def _new_home(path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        from relate_cli.runs import write_instance_config

        write_instance_config(path)
        return path

    def env(self, emulator: EmulatorProcess, data_dir: Path, home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        extra = extra or {}
        domains = extra.get("RELATE_INTERNAL_DOMAINS") or ",".join(emulator.admin.snapshot()["internal_domains"])
        env = dict(os.environ)
        env.update(
            RELATE_API_BASE_URL=emulator.base_url,
            RELATE_API_KEY=emulator.api_key,
            RELATE_DATA_DIR=str(data_dir),
            DAGSTER_HOME=str(home),
            RELATE_INTERNAL_DOMAINS=domains,
            RELATE_TIMEZONE="UTC",
        )
        env.update(extra)
        return env

    def run(self, emulator: EmulatorProcess, window: Window, extra_env: dict[str, str] | None = None,
            cold_home: bool = False, data_dir: Path | None = None, extra_args: Sequence[str] = ()) -> tuple[Measured, Path]:
        """One run into a fresh data directory, or into ``data_dir`` again (a re-run over what it holds)."""
        self._runs += 1
        data_dir = data_dir or self.work / f"data-{self._runs}"
        home = self._new_home(self.work / f"home-{self._runs}") if cold_home else self._ensure_home()
        command = [str(OURS_CLI), "run", "--start", window.first.isoformat(), "--end", window.last.isoformat(), *extra_args]
        measured = run_measured(command, self.env(emulator, data_dir, home, extra_env)).check("relate-pipeline run")
        return measured, data_dir

    def _ensure_home(self) -> Path:
        if not self.home.exists():
            self._new_home(self.home)
        return self.home

    @staticmethod
    def row_counts(data_dir: Path) -> dict[str, int]:
        import duckdb

        with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
            return {
                name: connection.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
                for name, view in OUR_COUNTS_SQL.items()
            }

    def discard(self, data_dir: Path) -> None:
        shutil.rmtree(data_dir, ignore_errors=True)


# ------------------------------------------------------------------ the peer
def dlt_python() -> Path:
    return DLT_VENV / "bin" / "python"


def ensure_dlt_venv() -> Path:
    """bench/.venv-dlt with the pinned dlt, created on first use; dlt never enters the project's venv."""
    python = dlt_python()
    if python.exists():
        probe = subprocess.run([str(python), "-c", "import dlt; print(dlt.__version__)"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == DLT_REQUIREMENT.rsplit("==", 1)[1]:
            return python
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--clear", str(DLT_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", DLT_REQUIREMENT], check=True)
    return python


class Peer:
    """The dlt pipeline (bench/peer_dlt.py) in its own venv, each run in a fresh work directory."""

    def __init__(self, work: Path, workers: int = 32, normalize_workers: int = 1) -> None:
        self.work = work
        self.workers = workers
        self.normalize_workers = normalize_workers
        self._runs = 0

    def run(self, emulator: EmulatorProcess, window: Window) -> tuple[Measured, dict[str, int]]:
        self._runs += 1
        work_dir = self.work / f"peer-{self._runs}"
        starts_after, starts_before = window.unix_bounds
        command = [
            str(dlt_python()), str(PEER_SCRIPT), "--base-url", emulator.base_url,
            "--starts-after", str(starts_after), "--starts-before", str(starts_before),
            "--work-dir", str(work_dir), "--workers", str(self.workers),
            "--normalize-workers", str(self.normalize_workers),
        ]
        env = dict(os.environ, RELATE_API_KEY=emulator.api_key)
        measured = run_measured(command, env).check("peer_dlt.py")
        counts = json.loads(measured.stdout.strip().splitlines()[-1])
        shutil.rmtree(work_dir, ignore_errors=True)
        return measured, counts


# ------------------------------------------------------------------ reporting
def machine_description() -> str:
    memory = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    cpu = platform.processor() or platform.machine()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; load average at start {load}"
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(name: str, text: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.md"
    path.write_text(text)
    return path


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
