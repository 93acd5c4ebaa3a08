"""Section 3: response bytes to Parquet, against only decoding the same bytes.

The input is real: every done recording's response body as the emulator serves it. The bound is
decoding those bytes with orjson (the fastest JSON parser installed) and doing nothing else. Two
paths of the pipeline are timed on the same bytes: flattening into the meeting tables and
writing them through the lake (zstd Parquet, fsync'd and renamed into place), and the whole route
a run takes (raw store written, read back, flattened, written).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

from harness import Window, done_recording_ids, fetch_bodies, log, markdown_table, median, warm_emulator
from relate_pipeline.meetings.raw_tables import RecordingFetch, flatten_raw_recordings, raw_recordings_table
from relate_pipeline.lake import Lake

DAY = "2000-01-01"


@dataclass
class Step:
    label: str
    seconds: list[float]


def _raw_table(bodies: list[bytes]):
    fetched_at = datetime.now(timezone.utc)
    return raw_recordings_table(
        [
            RecordingFetch(f"r{position:06d}", "e", "done", None, fetched_at, 200, body)
            for position, body in enumerate(bodies)
        ]
    )


def decode_only(bodies: list[bytes], _: Path) -> None:
    for body in bodies:
        orjson.loads(body)


def flatten_only(bodies: list[bytes], _: Path) -> None:
    flatten_raw_recordings(_raw_table(bodies))


def flatten_and_write(bodies: list[bytes], directory: Path) -> None:
    lake = Lake(str(directory / "lake"))
    for name, table in flatten_raw_recordings(_raw_table(bodies)).items():
        lake.write_partition(name, DAY, table)


def raw_round_trip(bodies: list[bytes], directory: Path) -> None:
    raw, lake = Lake(str(directory / "raw")), Lake(str(directory / "lake"))
    raw.write_partition("raw_recordings", DAY, _raw_table(bodies))
    for name, table in flatten_raw_recordings(raw.read_partition("raw_recordings", DAY)).items():
        lake.write_partition(name, DAY, table)


STEPS: list[tuple[str, Callable[[list[bytes], Path], None]]] = [
    ("orjson decode only (the bound)", decode_only),
    ("bytes → Arrow tables", flatten_only),
    ("bytes → Arrow → Parquet files (lake)", flatten_and_write),
    ("bytes → raw store → read → Arrow → Parquet (a run's route)", raw_round_trip),
]


def measure(meetings_per_day: int, days: int, repeats: int) -> tuple[list[Step], int, float, int]:
    window = Window.ending_yesterday(days)
    with warm_emulator(window, meetings_per_day, 0) as emulator:
        bodies = fetch_bodies(emulator, done_recording_ids(emulator))
    megabytes = sum(map(len, bodies)) / 1e6
    entries = flatten_raw_recordings(_raw_table(bodies))["transcript_utterances"].num_rows
    log(f"flatten: {len(bodies)} bodies, {megabytes:.1f} MB, {entries} transcript entries")
    steps = []
    for label, step in STEPS:
        timings = []
        for _ in range(repeats + 1):
            directory = Path(tempfile.mkdtemp(prefix="bench-flatten-"))
            started = time.perf_counter()
            step(bodies, directory)
            timings.append(time.perf_counter() - started)
            shutil.rmtree(directory, ignore_errors=True)
        steps.append(Step(label, timings[1:]))
    return steps, len(bodies), megabytes, entries


def render(steps: list[Step], recordings: int, megabytes: float, entries: int, repeats: int) -> str:
    bound = median(steps[0].seconds)
    rows = [
        [
            step.label,
            f"{median(step.seconds):.3f}",
            f"{entries / median(step.seconds):,.0f}",
            f"{megabytes / median(step.seconds):,.1f}",
            f"{bound / median(step.seconds):.0%}",
        ]
        for step in steps
    ]
    return "\n".join(
        [
            "## 3. Flatten and write: response bytes to Parquet",
            "",
            f"{recordings} emulator response bodies, {megabytes:.1f} MB of JSON, {entries:,} transcript entries; "
            f"median of {repeats} repeats after one untimed pass. Goal: the lake path at ≥ 50 % of the decode-only bound.",
            "",
            markdown_table(["step", "median s", "transcript entries/s", "MB JSON/s", "share of bound"], rows),
            "",
        ]
    )
