"""What a change costs a run: one night of `relate-pipeline run` from each git revision, alternating.

    python bench/compare_revisions.py REV [REV ...] [--rounds N] [--meetings M]

Each revision is exported (``git archive``) into a temporary folder and run from there with this
virtualenv, against one warm emulator (one weekday, M meetings, 2,000 contacts, 50 ms latency), each
run into a fresh data directory and a Dagster home kept per revision, as a deployment keeps one. The
revisions run in turn, in reverse order every other round, so a change of load touches them all
alike. Reports each revision's median wall time and CPU time (the run's process tree, user +
system), and the load average; writes bench/results/compare_revisions.md as well.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Ours, Window, log, markdown_table, run_measured, warm_emulator, write_result  # noqa: E402

CLI = "import sys; from relate_cli.main import entry_point; sys.argv[0] = 'relate-pipeline'; entry_point()"
HOME = """from pathlib import Path
home = Path(__import__('sys').argv[1])
home.mkdir(parents=True)
try:
    from relate_cli.runs import write_instance_config
except ImportError:
    from assets.event_log import instance_yaml  # revisions from before Dagster's own storage
    (home / 'dagster.yaml').write_text(instance_yaml(home))
else:
    write_instance_config(home)
"""


def export(revision: str, into: Path) -> Path:
    tree = into / revision
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def measure(revisions: list[str], rounds: int, meetings: int) -> tuple[dict[str, list[tuple[float, float]]], str]:
    work = Path(tempfile.mkdtemp(prefix="relate-compare-"))
    trees = {revision: export(revision, work / "trees") for revision in revisions}
    ours = Ours(work)
    window = Window.weekday_before_today()
    results: dict[str, list[tuple[float, float]]] = {revision: [] for revision in revisions}
    load_at_start = "/".join(f"{value:.1f}" for value in os.getloadavg())
    try:
        with warm_emulator(window, meetings, 50.0, contacts=2000) as emulator:
            for revision, tree in trees.items():
                subprocess.run([sys.executable, "-c", HOME, str(work / f"home-{revision}")], cwd=tree, check=True,
                               env={**os.environ, "PYTHONPATH": str(tree)})
            for round_number in range(rounds):
                for revision in revisions if round_number % 2 == 0 else revisions[::-1]:
                    data_dir = work / f"data-{revision}-{round_number}"
                    env = ours.env(emulator, data_dir, work / f"home-{revision}", {"PYTHONPATH": str(trees[revision])})
                    command = [sys.executable, "-c", CLI, "run", "--start", window.first.isoformat(), "--end", window.last.isoformat()]
                    measured = run_measured(command, env, cwd=trees[revision]).check(f"relate-pipeline run at {revision}")
                    results[revision].append((measured.seconds, measured.cpu_seconds))
                    shutil.rmtree(data_dir, ignore_errors=True)
                log(f"compare: round {round_number + 1}/{rounds}: "
                    + ", ".join(f"{revision} {results[revision][-1][0]:.2f} s" for revision in revisions))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = f"{load_at_start} at start, {'/'.join(f'{value:.1f}' for value in os.getloadavg())} at end"
    return results, load


def render(results: dict[str, list[tuple[float, float]]], load: str, rounds: int, meetings: int) -> str:
    rows = []
    previous = None
    for revision, runs in results.items():
        wall = statistics.median(seconds for seconds, _ in runs)
        cpu = statistics.median(cpu for _, cpu in runs)
        change = "" if previous is None else f"{wall - previous[0]:+.2f} / {cpu - previous[1]:+.2f}"
        rows.append([f"`{revision}`", f"{wall:.2f}", f"{cpu:.2f}", change])
        previous = (wall, cpu)
    return "\n".join([
        "## Revisions compared: one night of `relate-pipeline run`",
        "",
        f"`python bench/compare_revisions.py {' '.join(results)} --rounds {rounds} --meetings {meetings}`: one weekday, "
        f"{meetings} meetings, 2,000 contacts, 50 ms latency; median of {rounds} alternating runs each; load average "
        f"(1/5/15 min) {load}.",
        "",
        markdown_table(["revision", "wall s", "CPU s", "change from the row above (wall / CPU s)"], rows),
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs="+", help="git revisions, oldest first")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--meetings", type=int, default=40)
    args = parser.parse_args(argv)
    results, load = measure(args.revisions, args.rounds, args.meetings)
    text = render(results, load, args.rounds, args.meetings)
    write_result("compare_revisions", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
