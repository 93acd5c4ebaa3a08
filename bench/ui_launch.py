"""Section 12: a run launched through the Dagster webserver against the same run from the CLI.

Issue 14 asks that runs started from the UI or the schedule get the CLI's improvements. Both
paths execute the same job in the same instance (the ``dagster.yaml`` the CLI writes, with its
kept-open event log), but a launched run has its own start-up: the webserver's run launcher
spawns a run worker that imports the code location before the run starts. The UI is started as
`relate-pipeline ui` starts it (`dg dev`: webserver and daemon, whose queued-run coordinator
dequeues the run). Each measured launch gets a fresh data directory, so a UI (unmeasured start)
serves one run and is stopped.

Reported per path: wall seconds (CLI: process spawn to exit; UI: the GraphQL submit to the run
record's terminal status), the run's own duration (its Dagster start to success events), and
what came before the run started (CLI: imports, pre-flight, instance; UI: launch and the run
worker's imports).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import Ours, Window, latest_run_timeline, log, markdown_table, median, warm_emulator

TERMINAL = ("SUCCESS", "FAILURE", "CANCELED")
POLL_S = 0.05
RUN_TIMEOUT_S = 600


@dataclass
class LaunchPath:
    label: str
    wall_s: list[float] = field(default_factory=list)
    run_s: list[float] = field(default_factory=list)
    before_run_s: list[float] = field(default_factory=list)
    recordings: int = 0


def _launched_run(ours: Ours, emulator, window: Window, data_dir: Path) -> tuple[float, float, float]:
    """Wall, run and before-run seconds of one run submitted through a freshly started webserver."""
    from dagster import DagsterInstance
    from dagster_graphql import DagsterGraphQLClient

    from assets.automation import range_tags
    from relate_cli.ui import free_port, start_ui, stop_process_group, wait_until_serving

    port = free_port()
    webserver = start_ui(
        port, ours.env(emulator, data_dir, ours.home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_serving(port, webserver, seconds=240)
        client = DagsterGraphQLClient("127.0.0.1", port_number=port)
        with DagsterInstance.from_config(str(ours.home)) as instance:
            submitted = time.time()
            run_id = client.submit_job_execution("relate_pipeline", tags=range_tags(window.first, window.last))
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while (status := instance.get_run_by_id(run_id).status.value) not in TERMINAL:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the launched run {run_id} is still {status} after {RUN_TIMEOUT_S} s")
                time.sleep(POLL_S)
            finished = time.time()
        if status != "SUCCESS":
            raise RuntimeError(f"the launched run {run_id} ended {status}")
    finally:
        stop_process_group(webserver)
    timeline = latest_run_timeline(ours.home)
    return finished - submitted, timeline.run_end - timeline.run_start, timeline.run_start - submitted


def measure(days: int, meetings_per_day: int, runs: int, ours: Ours, latency_ms: float = 50.0) -> list[LaunchPath]:
    window = Window.ending_yesterday(days)
    cli, ui = LaunchPath("`relate-pipeline run` (CLI)"), LaunchPath("launched through the webserver (GraphQL)")
    with warm_emulator(window, meetings_per_day, latency_ms) as emulator:
        ours.discard(ours.run(emulator, window)[1])
        for run in range(runs):
            measured, data_dir = ours.run(emulator, window)
            timeline = latest_run_timeline(ours.home)
            cli.wall_s.append(measured.seconds)
            cli.run_s.append(timeline.run_end - timeline.run_start)
            cli.before_run_s.append(timeline.run_start - measured.started_at)
            cli.recordings = ours.row_counts(data_dir)["recordings"]
            ours.discard(data_dir)
            data_dir = ours.work / f"ui-data-{run}"
            wall, run_s, before = _launched_run(ours, emulator, window, data_dir)
            ui.wall_s.append(wall)
            ui.run_s.append(run_s)
            ui.before_run_s.append(before)
            ui.recordings = ours.row_counts(data_dir)["recordings"]
            ours.discard(data_dir)
            log(f"ui: run {run + 1}/{runs}: CLI {measured.seconds:.2f} s, launched {wall:.2f} s")
    return [cli, ui]


def render(paths: list[LaunchPath], days: int, meetings_per_day: int, runs: int, latency_ms: float) -> str:
    rows = [
        [p.label, p.recordings, f"{median(p.wall_s):.2f}", f"{median(p.before_run_s):.2f}", f"{median(p.run_s):.2f}"]
        for p in paths
    ]
    return "\n".join([
        "## 12. A run launched through the webserver",
        "",
        f"{days} days × {meetings_per_day} meetings/day, emulator latency {latency_ms:g} ms, median of {runs} runs, "
        "CLI and launched runs alternating in one instance.",
        "",
        markdown_table(["path", "recordings", "wall s", "before the run starts s", "run start → success s"], rows),
        "",
        "Per run (wall s): " + "; ".join(f"{p.label}: " + ", ".join(f"{s:.2f}" for s in p.wall_s) for p in paths),
        "",
    ])
