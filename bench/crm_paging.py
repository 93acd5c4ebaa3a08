"""A sales team's CRM: 50,000 contacts and 10,000 organizations, at 50 ms latency.

Three measurements against one warmed emulator, interleaved run by run:

* serial paging: every CRM list walked one page after another (the sync client, one resource
  after another): what fetching every page in turn costs, the floor a serial walk cannot beat;
* concurrent paging: the CRM snapshot as the pipeline takes it (`fetch_crm`, the async client:
  the first page of each list, then its remaining offsets at once, verified);
* the whole run: `relate-pipeline run` for one day, spawn to exit, CRM and meetings together,
  split by the run's own Dagster event log (before the run starts, each step, Dagster around
  them, after the run ends) with the emulator's CPU seconds over the same span;
* the CRM step's own split, in this process: listing, table building and snapshot writes.

Run: python bench/crm_paging.py [--quick] [--runs N]   (writes bench/results/crm_paging.md as well)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402
from harness import Ours, Window, latest_run_timeline, log, write_result  # noqa: E402

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient  # noqa: E402
from relate_pipeline.crm.fetch import crm_tables, fetch_crm, replace_changed_snapshots  # noqa: E402
from relate_pipeline.emulator import EmulatorProcess  # noqa: E402
from relate_pipeline.lake import Lake  # noqa: E402
from relate_pipeline.tables import CRM_TABLES  # noqa: E402

LATENCY_MS = 50
FULL = {"contacts": 50_000, "organizations": 10_000}
QUICK = {"contacts": 5_000, "organizations": 1_000}


def _settings(emulator: EmulatorProcess) -> ClientSettings:
    return ClientSettings(base_url=emulator.base_url, api_key=emulator.api_key)


def serial(emulator: EmulatorProcess) -> tuple[float, int, int]:
    """(seconds, requests, items) walking every CRM list one page after another."""
    started = time.perf_counter()
    with RelateClient(_settings(emulator)) as client:
        items = 0
        for listing in (client.list_contacts, client.list_organizations, client.list_notes,
                        client.list_custom_fields):
            items += sum(1 for _ in listing())
        lists = list(client.list_lists())
        items += len(lists) + sum(sum(1 for _ in client.list_entries(item["id"])) for item in lists)
        return time.perf_counter() - started, client.stats.requests, items


async def _fetch(emulator: EmulatorProcess) -> tuple[dict[str, list[dict]], int]:
    async with AsyncRelateClient(_settings(emulator)) as client:
        return await fetch_crm(client), client.stats.requests


def concurrent(emulator: EmulatorProcess) -> tuple[float, int, int]:
    """(seconds, requests, items) for the pipeline's CRM listing."""
    started = time.perf_counter()
    resources, requests = asyncio.run(_fetch(emulator))
    items = sum(len(items) for items in resources.values())
    return time.perf_counter() - started, requests, items


def step_split(emulator: EmulatorProcess, work: Path) -> dict[str, float]:
    """The CRM step's listing, table building and writes (s), as the asset runs them."""
    lake = Lake(str(work / f"lake-{time.monotonic_ns()}"))
    started = time.perf_counter()
    resources, _ = asyncio.run(_fetch(emulator))
    fetched = time.perf_counter()
    tables = crm_tables(resources)
    built = time.perf_counter()
    replace_changed_snapshots(lake, {name: tables[name] for name in CRM_TABLES})
    written = time.perf_counter()
    return {"listing": fetched - started, "tables": built - fetched, "writes": written - built,
            "step": written - started}


def _emulator_process() -> psutil.Process:
    for child in psutil.Process().children():
        if "relate_pipeline.emulator" in " ".join(child.cmdline()):
            return child
    raise RuntimeError("the emulator's process was not found among this process's children")


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def whole_run_split(measured, timeline, emulator_cpu: float) -> dict[str, float]:
    """Spawn to exit by the run's event log: before the run, each step, Dagster around them, after."""
    steps = {f"step {name}": seconds for name, seconds in timeline.steps.items()}
    inside = timeline.run_end - timeline.run_start
    return {
        "before the run starts (imports, API check, instance, run creation)": timeline.run_start - measured.started_at,
        **steps,
        "Dagster's events and steps around them": inside - sum(steps.values()),
        "after the run ends (summary, exit)": measured.started_at + measured.seconds - timeline.run_end,
        "whole run": measured.seconds,
        "run process CPU (s)": measured.cpu_seconds,
        "emulator CPU over the run (s)": emulator_cpu,
    }


def measure(quick: bool, runs: int) -> dict:
    size = QUICK if quick else FULL
    window = Window.weekday_before_today()
    work = Path(tempfile.mkdtemp(prefix="relate-crm-paging-"))
    ours = Ours(work)
    results: dict[str, list] = {"serial": [], "concurrent": [], "run": [], "run_split": [],
                                "step": []}
    with EmulatorProcess(days=2, end_date=window.last, meetings_per_day=40, latency_ms=LATENCY_MS, **size) as emulator:
        concurrent(emulator)  # warms the emulator's list renderings
        emulator_process = _emulator_process()
        load_at_start = "/".join(f"{v:.2f}" for v in os.getloadavg())
        for run in range(runs):
            results["serial"].append(serial(emulator))
            results["concurrent"].append(concurrent(emulator))
            emulator_cpu = _cpu(emulator_process)
            measured, data_dir = ours.run(emulator, window)
            emulator_cpu = _cpu(emulator_process) - emulator_cpu
            ours.discard(data_dir)
            results["run"].append(measured.seconds)
            results["run_split"].append(whole_run_split(measured, latest_run_timeline(ours.home), emulator_cpu))
            results["step"].append(step_split(emulator, work))
            log(f"crm paging: run {run + 1}/{runs}: serial {results['serial'][-1][0]:.2f} s, "
                f"concurrent {results['concurrent'][-1][0]:.2f} s, whole run {measured.seconds:.2f} s")
        load_at_end = "/".join(f"{v:.2f}" for v in os.getloadavg())
    return {"size": size, "runs": runs, "results": results, "load": (load_at_start, load_at_end)}


def render(measured: dict) -> str:
    results = measured["results"]
    serial_s = statistics.median(r[0] for r in results["serial"])
    concurrent_s = statistics.median(r[0] for r in results["concurrent"])
    run_s = statistics.median(results["run"])
    size = measured["size"]
    lines = [
        "## CRM paging: serial against concurrent offsets",
        "",
        f"`bench/crm_paging.py`: {size['contacts']:,} contacts and {size['organizations']:,} "
        f"organizations (plus the workspace's notes, custom fields, lists and entries), {LATENCY_MS} ms "
        f"latency, median of {measured['runs']} interleaved runs; load average (1/5/15 min) "
        f"{measured['load'][0]} at start, {measured['load'][1]} at end.",
        "",
        "| measurement | requests | items | median s | of serial paging |",
        "|:---|---:|---:|---:|---:|",
        f"| serial paging (every page in turn) | {results['serial'][0][1]} | {results['serial'][0][2]:,} "
        f"| {serial_s:.2f} | 100% |",
        f"| concurrent paging (`fetch_crm`) | {results['concurrent'][0][1]} | "
        f"{results['concurrent'][0][2]:,} | {concurrent_s:.2f} | {concurrent_s / serial_s:.0%} |",
        f"| whole one-day run (`relate-pipeline run`) | | | {run_s:.2f} | {run_s / serial_s:.0%} |",
        "",
        "Per run (serial / concurrent / whole run, s): "
        + "; ".join(
            f"{s[0]:.2f} / {c[0]:.2f} / {r:.2f}"
            for s, c, r in zip(results["serial"], results["concurrent"], results["run"])
        ),
        "",
        "Where the whole run's time goes (median s of the runs; the event log's steps):",
        "",
        "| part | median s |",
        "|:---|---:|",
        *(f"| {part} | {statistics.median(split[part] for split in results['run_split']):.2f} |"
          for part in results["run_split"][0]),
        "",
        "The CRM step in this process (median s):",
        "",
        "| phase | median s |",
        "|:---|---:|",
        *(f"| {phase} | {statistics.median(r[phase] for r in results['step']):.2f} |" for phase in results["step"][0]),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the CRM, one run")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args(argv)
    text = render(measure(args.quick, args.runs or (1 if args.quick else 3)))
    write_result("crm_paging", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
