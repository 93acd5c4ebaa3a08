"""The fixed cost of `relate-pipeline run`: one day without meetings, a CRM of 2,000 contacts, split by step.

The whole command is timed from spawn to exit (median of the runs). The split comes from a child
process that performs the command's steps itself, in the command's order, timing each: importing
the CLI and building its parser (settings, the HTTP client, the summary's module), the pre-flight
API check overlapped with importing Dagster and the code location, loading the Dagster instance, the run (split
by its own event log into run creation, the CRM snapshot with its writes, the meetings step, the
warehouse build and Dagster's events around them), and printing the summary.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import ROOT, Ours, Window, latest_run_timeline, log, markdown_table, median, warm_emulator

STEPS = (
    "interpreter start",
    "importing the CLI and building its parser (settings, HTTP client, reports)",
    "API check, overlapped with importing Dagster and the code location",
    "loading the Dagster instance",
    "run creation (run record, plan, planned events)",
    "crm_snapshots (2,000 contacts listed, flattened, written)",
    "meetings step (one listing, nothing to write)",
    "warehouse build",
    "Dagster's events and steps around them",
    "printing the summary",
)

CHILD = r"""
import json, os, sys, time
spawned = float(sys.argv[1]); marks = {"start": time.time()}
from relate_cli import main
from relate_cli.runs import check_api_while_loading, prepare_dagster_home, run_pipeline, day_range
from relate_pipeline.settings import PipelineSettings
main.build_parser()
marks["cli"] = time.time()
settings = PipelineSettings.from_env()
first, last = day_range(sys.argv[2], sys.argv[2], settings)
check_api_while_loading(settings)
prepare_dagster_home(settings)
marks["checked"] = time.time()
from dagster import DagsterInstance
DagsterInstance.get()
marks["instance"] = time.time()
ok = run_pipeline(first, last)
marks["run"] = time.time()
from relate_cli.reports import print_run_summary
with open(os.devnull, "w") as out:
    print_run_summary(settings, first, last, out)
marks["printed"] = time.time()
print(json.dumps({"spawned": spawned, "ok": ok, **marks}))
sys.stdout.flush()
os._exit(0)
"""


@dataclass
class FixedCost:
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    steps: list[dict[str, float]] = field(default_factory=list)


def _split(ours: Ours, env: dict[str, str], day: str) -> dict[str, float]:
    spawned = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD, str(spawned), day], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    timeline = latest_run_timeline(ours.home)
    steps, run_start = timeline.steps, timeline.run_start
    run_seconds = marks["run"] - marks["instance"]
    creation = (run_start or marks["instance"]) - marks["instance"]
    named = [creation, steps.get("crm_snapshots", 0.0), steps.get("meetings", 0.0), steps.get("warehouse", 0.0)]
    values = [
        marks["start"] - marks["spawned"],
        marks["cli"] - marks["start"],
        marks["checked"] - marks["cli"],
        marks["instance"] - marks["checked"],
        *named,
        run_seconds - sum(named),
        marks["printed"] - marks["run"],
    ]
    return dict(zip(STEPS, values))


def measure(runs: int, ours: Ours, latency_ms: float = 50.0) -> FixedCost:
    window = Window.weekday_before_today()
    result = FixedCost()
    with warm_emulator(window, 0, latency_ms, contacts=2000) as emulator:
        for run in range(runs):
            measured, data_dir = ours.run(emulator, window)
            result.seconds.append(measured.seconds)
            result.cpu_seconds.append(measured.cpu_seconds)
            ours.discard(data_dir)
            env = ours.env(emulator, ours.work / "fixed-split", ours.home)
            result.steps.append(_split(ours, env, window.first.isoformat()))
            ours.discard(ours.work / "fixed-split")
            log(f"fixed: {measured.seconds:.2f} s")
    return result


def render(result: FixedCost, runs: int, latency_ms: float) -> str:
    body = [[name, f"{median([s[name] for s in result.steps]):.2f}"] for name in STEPS]
    body.append(["sum of the steps", f"{sum(median([s[name] for s in result.steps]) for name in STEPS):.2f}"])
    return "\n".join([
        "## Fixed cost: one day, no meetings, 2,000 contacts",
        "",
        f"`relate-pipeline run`, emulator latency {latency_ms:g} ms, median of {runs} runs: "
        f"**{median(result.seconds):.2f} s** spawn to exit (runs: {', '.join(f'{s:.2f}' for s in result.seconds)}); "
        f"CPU (user + system) {median(result.cpu_seconds):.2f} s.",
        "",
        markdown_table(["step", "median s"], body),
        "",
    ])
