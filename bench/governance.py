"""Governance: what `relate-pipeline forget` and a retention purge cost on a year of meetings.

One `relate-pipeline run` fills a data directory (365 days × 40 meetings by default). Each
measurement then runs on a fresh copy of it, as a user runs the commands (a child process, wall
time and the tree's CPU seconds):

- `forget --email` of the external contact attending meetings on the most days, then the same
  `forget` again (nothing left to do: what it costs to check a year);
- a one-day `run` of the last day with `RELATE_RETENTION_DAYS` keeping 90 days (the purge of the
  275 older days happens in that run), against the same one-day run without retention, run for run
  alternately so the machine's load falls on both alike.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from harness import OURS_CLI, Measured, Ours, Window, log, markdown_table, median, run_measured, warm_emulator

KEPT_DAYS = 90
"""Days retention keeps in the measured purge (fewer in a smoke run over fewer days)."""


@dataclass
class GovernanceRun:
    days: int
    meetings: int
    recordings: int
    person_meetings: int
    person_days: int
    forget: list[Measured]
    forget_again: list[Measured]
    one_day: list[Measured]
    one_day_purging: list[Measured]
    forget_output: str
    data_mb: float
    kept_days: int


def _busiest_contact(snapshot: dict) -> tuple[str, int, int]:
    contacts = {a.strip().lower() for c in snapshot["contacts"] for a in c.get("emails") or []}
    internal = tuple(snapshot["internal_domains"])
    meetings: Counter = Counter()
    days: dict[str, set[str]] = {}
    for event in snapshot["calendar_events"]:
        if not event["exposed"]:
            continue
        for attendee in event["attendees"]:
            address = (attendee.get("email") if isinstance(attendee, dict) else attendee).strip().lower()
            if address in contacts and not address.endswith(internal):
                meetings[address] += 1
                days.setdefault(address, set()).add(event["start_at"][:10])
    address = max(days, key=lambda a: (len(days[a]), meetings[a]))
    return address, meetings[address], len(days[address])


def _copy(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return target


def measure(days: int, meetings: int, runs: int, ours: Ours) -> GovernanceRun:
    window = Window.ending_yesterday(days)
    kept_days = min(KEPT_DAYS, max(1, days // 4))
    with warm_emulator(window, meetings, 0.0) as emulator:
        log(f"governance: filling {days} days x {meetings}")
        _, filled = ours.run(emulator, window)
        snapshot = emulator.admin.snapshot()
        address, person_meetings, person_days = _busiest_contact(snapshot)
        recordings = sum(1 for e in snapshot["calendar_events"] if e["exposed"] for r in e["recordings"] if r["status"] == "done")
        copy = ours.work / "governance-copy"
        forget, again, one_day, purging = [], [], [], []
        output = ""
        for attempt in range(runs):
            log(f"governance: forget {attempt + 1}/{runs}")
            data_dir = _copy(filled, copy)
            env = ours.env(emulator, data_dir, ours.home)
            first = run_measured([str(OURS_CLI), "forget", "--email", address], env).check("relate-pipeline forget")
            output = first.stdout
            forget.append(first)
            again.append(run_measured([str(OURS_CLI), "forget", "--email", address], env).check("relate-pipeline forget"))
            last = Window(window.last, window.last)
            for retention, results in ((None, one_day), (str(kept_days), purging)):
                log(f"governance: one-day run {attempt + 1}/{runs}, retention {retention or 'unset'}")
                data_dir = _copy(filled, copy)
                extra = {"RELATE_RETENTION_DAYS": retention} if retention else None
                measured, _ = ours.run(emulator, last, extra_env=extra, data_dir=data_dir)
                results.append(measured)
                if retention:
                    kept = sorted(p.name for p in (data_dir / "lake" / "calendar_events").iterdir())
                    cutoff = (window.last + timedelta(days=1) - timedelta(days=kept_days)).isoformat()
                    assert kept[0] >= f"date={cutoff}", "the purge left older days"
        size = sum(path.stat().st_size for path in filled.rglob("*") if path.is_file()) / 2**20
        shutil.rmtree(copy, ignore_errors=True)
        ours.discard(filled)
    return GovernanceRun(days, meetings, recordings, person_meetings, person_days, forget, again, one_day, purging, output, size, kept_days)


def render(run: GovernanceRun, runs: int) -> str:
    def row(name: str, measured: list[Measured]) -> list[str]:
        return [name, f"{median([m.seconds for m in measured]):.2f}", f"{median([m.cpu_seconds for m in measured]):.2f}",
                f"{median([m.peak_rss_mb for m in measured]):.0f}"]

    purge = median([m.seconds for m in run.one_day_purging]) - median([m.seconds for m in run.one_day])
    purge_cpu = median([m.cpu_seconds for m in run.one_day_purging]) - median([m.cpu_seconds for m in run.one_day])
    return "\n".join(
        [
            f"## Governance: forget and a retention purge on {run.days} days",
            "",
            f"`bench/governance.py`: one run fills {run.days} days × {run.meetings} meetings ({run.recordings:,} done "
            f"recordings, {run.data_mb:,.0f} MB of lake, raw store and warehouse); each measurement runs on a fresh "
            f"copy of it, median of {runs}. The person forgotten attends {run.person_meetings} meetings on "
            f"{run.person_days} days. `forget` printed: {'; '.join(run.forget_output.strip().splitlines())}.",
            "",
            markdown_table(
                ["command", "wall s", "CPU s", "peak RSS MB"],
                [
                    row("`forget --email` (first)", run.forget),
                    row("`forget --email` again (nothing left)", run.forget_again),
                    row("one-day `run`, no retention", run.one_day),
                    row(f"one-day `run`, `RELATE_RETENTION_DAYS={run.kept_days}` (purges {run.days - run.kept_days} days)", run.one_day_purging),
                ],
            ),
            "",
            f"The purge adds {purge:+.2f} s of wall time and {purge_cpu:+.2f} CPU seconds to a one-day run (differences "
            "of the medians); later one-day runs purge one day each.",
            "",
        ]
    )
